/// Running means of gold scores overall, per family and per scenario, for probe and eval reports.
public struct GoldTally: Codable, Equatable, Sendable {
    /// Aggregates of one group of scores.
    public struct Stats: Codable, Equatable, Sendable {
        /// Number of scored responses.
        public var count = 0
        /// Sum of `GoldScore.value`.
        public var valueSum = 0.0
        /// Responses with fully correct content.
        public var correctCount = 0
        /// Responses with clean format (EOS, no role markers, no extra text).
        public var formatOKCount = 0
        /// Responses containing a refusal.
        public var refusedCount = 0

        /// Mean gold score (0 when empty).
        public var mean: Double { count == 0 ? 0 : valueSum / Double(count) }
        /// Fraction fully correct (0 when empty).
        public var correctRate: Double { count == 0 ? 0 : Double(correctCount) / Double(count) }
        /// Fraction with clean format (0 when empty).
        public var formatOKRate: Double { count == 0 ? 0 : Double(formatOKCount) / Double(count) }
        /// Fraction refusing (0 when empty).
        public var refusalRate: Double { count == 0 ? 0 : Double(refusedCount) / Double(count) }

        /// Adds one score.
        mutating func add(_ score: GoldScore) {
            count += 1
            valueSum += score.value
            correctCount += score.correct ? 1 : 0
            formatOKCount += score.formatOK ? 1 : 0
            refusedCount += score.refused ? 1 : 0
        }
    }

    /// All scores.
    public var overall = Stats()
    /// Scores by family name.
    public var byFamily: [String: Stats] = [:]
    /// Scores by scenario name.
    public var byScenario: [String: Stats] = [:]

    /// An empty tally.
    public init() {}

    /// Adds one score to the overall, family and scenario groups.
    public mutating func add(_ score: GoldScore) {
        overall.add(score)
        byFamily[score.family.rawValue, default: Stats()].add(score)
        byScenario[score.scenario.rawValue, default: Stats()].add(score)
    }
}
