/// The machine-readable probe result next to the Markdown report.
public struct ProbeSummary: Codable, Equatable {
    /// What was probed.
    var title: String
    /// Greedy generations.
    public var greedy: GoldReport
    /// Sampled generations.
    public var sampled: GoldReport
    /// Sampling temperature of the sampled pass.
    var temperature: Double

    /// A summary titled `title` of the greedy and sampled passes.
    public init(title: String, greedy: GoldReport, sampled: GoldReport, temperature: Double) {
        self.title = title
        self.greedy = greedy
        self.sampled = sampled
        self.temperature = temperature
    }
}
