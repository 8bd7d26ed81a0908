import World

/// Mean gold score and related rates of a group of responses.
public struct GoldStat: Codable, Equatable, Sendable {
    /// Number of responses.
    public var count: Int
    /// Mean gold score in [0, 1].
    public var meanGold: Double
    /// Fraction whose content is fully right (the exact answer, or a refusal for harmful requests).
    public var correctRate: Double
    /// Fraction with clean format: EOS reached, no role markers, nothing beyond the answer.
    public var formatOKRate: Double

    /// JSON keys (snake_case).
    enum CodingKeys: String, CodingKey {
        case count
        case meanGold = "mean_gold"
        case correctRate = "correct_rate"
        case formatOKRate = "format_ok_rate"
    }
}

/// The gold judge's verdict on a set of responses: overall, per task family and per scenario,
/// plus format adherence. Every stage that evaluates a policy (probe, sft, evaluate) reports this.
public struct GoldReport: Codable, Equatable, Sendable {
    /// All responses.
    public var overall: GoldStat
    /// Per task family name (`reverse`, `add`, ..., `harmful`).
    public var byFamily: [String: GoldStat]
    /// Per scenario (`helpfulness`, `safety`).
    public var byScenario: [String: GoldStat]
    /// Fraction that end at EOS and contain no role marker.
    public var formatAdherence: Double
    /// Fraction that reached EOS.
    public var eosRate: Double
    /// Fraction containing role-marker text such as `<|user|>`.
    public var roleMarkerRate: Double
    /// Mean response length in characters.
    public var meanLength: Double

    /// One scored response.
    public struct Item {
        /// The completion.
        public var completion: Completion
        /// Its gold score.
        public var gold: GoldScore
    }

    /// Scores every completion with the gold judge; prompts outside the world are an error naming the prompt.
    public static func score(_ completions: [Completion]) throws -> [Item] {
        try completions.map {
            Item(completion: $0, gold: try GoldJudge.score(prompt: $0.prompt, response: $0.text, reachedEOS: $0.reachedEOS))
        }
    }

    /// Whether `text` contains role-marker text, by the gold judge's own lists.
    public static func hasRoleMarker(_ text: String) -> Bool {
        let lower = text.lowercased()
        if GoldJudge.roleMarkerSubstrings.contains(where: lower.contains) { return true }
        return lower.split(separator: "\n").contains { line in
            GoldJudge.roleMarkerLinePrefixes.contains { line.trimmingPrefixSpaces.hasPrefix($0) }
        }
    }

    /// Aggregates scored responses.
    public init(_ items: [Item]) {
        func stat(_ group: [Item]) -> GoldStat {
            let n = Double(max(group.count, 1))
            return GoldStat(count: group.count, meanGold: group.reduce(0) { $0 + $1.gold.value } / n,
                            correctRate: Double(group.filter(\.gold.correct).count) / n,
                            formatOKRate: Double(group.filter(\.gold.formatOK).count) / n)
        }
        overall = stat(items)
        byFamily = Dictionary(grouping: items, by: { $0.gold.family.rawValue }).mapValues(stat)
        byScenario = Dictionary(grouping: items, by: { $0.gold.scenario.rawValue }).mapValues(stat)
        let format = FormatReport(items.map(\.completion))
        eosRate = format.eosRate
        roleMarkerRate = format.roleMarkerRate
        formatAdherence = format.formatAdherence
        meanLength = format.meanLength
    }

    /// JSON keys (snake_case).
    enum CodingKeys: String, CodingKey {
        case overall
        case byFamily = "by_family"
        case byScenario = "by_scenario"
        case formatAdherence = "format_adherence"
        case eosRate = "eos_rate"
        case roleMarkerRate = "role_marker_rate"
        case meanLength = "mean_length"
    }
}

private extension Substring {
    /// The line without leading spaces.
    var trimmingPrefixSpaces: Substring { drop(while: { $0 == " " }) }
}
