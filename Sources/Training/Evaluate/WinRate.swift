import Model

/// A head-to-head comparison of two models on the same prompts by one judge, in one A/B order.
public struct WinRate: Codable, Equatable, Sendable {
    /// The model in position A.
    public var a: String
    /// The model in position B.
    public var b: String
    /// The judge ("gold" or "rm").
    public var judge: String
    /// Fraction of comparisons A wins, ties counting one half (one comparison per prompt and sample).
    public var winRate: Double
    /// Lower end of the bootstrap 95% confidence interval.
    public var ciLow: Double
    /// Upper end of the bootstrap 95% confidence interval.
    public var ciHigh: Double
    /// Comparisons A wins.
    public var wins: Int
    /// Comparisons tied.
    public var ties: Int
    /// Comparisons A loses.
    public var losses: Int

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case a, b, judge, wins, ties, losses
        case winRate = "win_rate"
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
    }

    /// Compares paired scores of A and B (higher wins; equal within `tolerance` ties) and bootstraps the
    /// win rate over prompts `resamples` times with a generator seeded by `seed`.
    ///
    /// Each run of `groupSize` consecutive scores holds one prompt's samples; the bootstrap resamples
    /// whole prompts, so samples of one prompt never count as independent evidence.
    public init(a: String, b: String, judge: String, scoresA: [Double], scoresB: [Double], groupSize: Int = 1,
         tolerance: Double = 1e-9, resamples: Int = 1000, seed: UInt64) {
        precondition(scoresA.count == scoresB.count, "win rate needs one score per comparison for each model")
        precondition(groupSize > 0 && scoresA.count % groupSize == 0, "win rate needs whole groups of samples")
        self.a = a
        self.b = b
        self.judge = judge
        let outcomes = zip(scoresA, scoresB).map { x, y -> Double in abs(x - y) <= tolerance ? 0.5 : (x > y ? 1 : 0) }
        wins = outcomes.filter { $0 == 1 }.count
        ties = outcomes.filter { $0 == 0.5 }.count
        losses = outcomes.filter { $0 == 0 }.count
        winRate = Statistics.mean(outcomes)
        let perPrompt = stride(from: 0, to: outcomes.count, by: groupSize).map { Statistics.mean(Array(outcomes[$0..<$0 + groupSize])) }
        (ciLow, ciHigh) = Self.bootstrap(perPrompt, resamples: resamples, seed: seed)
    }

    /// Whether the confidence interval lies entirely above (or below) one half.
    var excludesHalf: Bool { ciLow > 0.5 || ciHigh < 0.5 }

    /// Percentile bootstrap 95% interval of the mean of `outcomes`.
    static func bootstrap(_ outcomes: [Double], resamples: Int, seed: UInt64) -> (Double, Double) {
        guard !outcomes.isEmpty, resamples > 0 else { return (0, 1) }
        var rng = Xoshiro256(seed: seed)
        let n = outcomes.count
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in 0..<n { sum += outcomes[Int(rng.next() % UInt64(n))] }
            means.append(sum / Double(n))
        }
        means.sort()
        let low = means[Int((Double(resamples - 1) * 0.025).rounded())]
        let high = means[Int((Double(resamples - 1) * 0.975).rounded())]
        return (low, high)
    }
}
