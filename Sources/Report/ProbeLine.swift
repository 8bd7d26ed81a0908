import EngineCore

/// Tolerant field access for `generation_probe.jsonl` lines (format owned by the `probe` stage).
enum ProbeLine {
    /// The prompt text.
    static func prompt(_ line: [String: JSONValue]) -> String? {
        first(line, ["prompt", "input"])?.stringValue
    }

    /// The generated response.
    static func response(_ line: [String: JSONValue]) -> String? {
        first(line, ["response", "completion", "output", "generation", "text", "greedy"])?.stringValue
    }

    /// The gold score.
    static func gold(_ line: [String: JSONValue]) -> Double? {
        first(line, ["gold", "gold_score", "score"])?.doubleValue
    }

    /// The reward-model score.
    static func rm(_ line: [String: JSONValue]) -> Double? {
        first(line, ["rm_score", "rm", "reward"])?.doubleValue
    }

    private static func first(_ line: [String: JSONValue], _ keys: [String]) -> JSONValue? {
        keys.lazy.compactMap { line[$0] }.first
    }
}
