import Foundation

/// Metrics an outside trainer run by a `command` node hands back: lines it appends to `$RLHF_METRICS`,
/// and the `log_history` of a Hugging Face Trainer `trainer_state.json` in a directory output.
enum CommandMetrics {
    /// The points of a `$RLHF_METRICS` file: one `{"name","step","value"}` object a line (blank lines skipped).
    /// A bad line is an error naming the line.
    static func read(metricsFile path: String, node: String) throws -> [MetricPoint] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var points: [MetricPoint] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            func bad(_ message: String) -> EngineError {
                .stageFailed(node: node, message: "$RLHF_METRICS line \(index + 1): \(message); write {\"name\": str, \"step\": int, \"value\": number} per line")
            }
            let value: JSONValue
            do {
                value = try JSONValue.parse(Array(line), file: "$RLHF_METRICS")
            } catch {
                throw bad("not valid JSON")
            }
            guard let object = value.objectValue else { throw bad("expected an object, found \(value.typeName)") }
            guard let name = object["name"]?.stringValue, !name.isEmpty else { throw bad("\"name\" must be a non-empty string") }
            guard let step = object["step"]?.intValue, let intStep = Int(exactly: step) else { throw bad("\"step\" must be an integer") }
            guard let number = object["value"]?.doubleValue, number.isFinite else { throw bad("\"value\" must be a finite number") }
            points.append(MetricPoint(name: name, step: intStep, value: number))
        }
        return points
    }

    /// The `log_history` points of `directory/trainer_state.json` (none when there is no such file): every
    /// numeric field of an entry except `step`, at the entry's `step` (or its index when it has none).
    static func read(trainerStateIn directory: String, output: String, node: String) throws -> [MetricPoint] {
        let path = directory + "/trainer_state.json"
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        func bad(_ message: String) -> EngineError {
            .stageFailed(node: node, message: "output '\(output)': trainer_state.json: \(message)")
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(Array(data), file: "trainer_state.json")
        } catch {
            throw bad("not valid JSON (\(error))")
        }
        guard case .array(let history)? = root.objectValue?["log_history"] else { throw bad("no \"log_history\" array") }
        var points: [MetricPoint] = []
        for (index, entry) in history.enumerated() {
            guard let fields = entry.objectValue else { throw bad("log_history[\(index)] is \(entry.typeName), not an object") }
            let step = fields["step"]?.intValue.flatMap { Int(exactly: $0) } ?? index
            for key in fields.keys.sorted() where key != "step" {
                if let value = fields[key]?.doubleValue, value.isFinite { points.append(MetricPoint(name: key, step: step, value: value)) }
            }
        }
        return points
    }
}
