import Foundation

/// One point of the over-optimisation curve: a PPO snapshot (or the final policy) or a best-of-n draw from SFT.
public struct CurvePoint: Codable, Equatable, Sendable {
    /// `iter-<k>`, `policy` or `bon-<n>`.
    public var label: String
    /// PPO iterations done (snapshots and the policy).
    public var iteration: Int?
    /// n of a best-of-n point.
    public var n: Int?
    /// KL(model ‖ SFT) in nats: the Monte-Carlo estimate for snapshots, `log n − (n−1)/n` for best-of-n.
    public var kl: Double
    /// Mean gold score (nil without gold).
    public var gold: Double?
    /// Mean reward-model score (the proxy).
    public var rm: Double

    /// √KL, the x axis of Gao et al. (2022).
    public var sqrtKL: Double { max(kl, 0).squareRoot() }

    /// A point labelled `label`.
    public init(label: String, iteration: Int? = nil, n: Int? = nil, kl: Double, gold: Double?, rm: Double) {
        self.label = label
        self.iteration = iteration
        self.n = n
        self.kl = kl
        self.gold = gold
        self.rm = rm
    }

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case label, iteration, n, kl, gold, rm
    }
}

/// Gold and proxy (RM) scores against KL to SFT, for PPO snapshots and a best-of-n baseline with the RM, after
/// Gao et al. 2022, "Scaling Laws for Reward Model Overoptimization": where the proxy keeps rising and gold turns
/// down is where optimisation stopped paying.
public struct OverOptimisationCurve: Codable, Equatable, Sendable {
    /// PPO snapshots in iteration order, then the final policy.
    public var snapshots: [CurvePoint]
    /// Best-of-n from SFT samples, n ascending.
    public var bestOfN: [CurvePoint]

    /// A curve of `snapshots` and `bestOfN`.
    public init(snapshots: [CurvePoint], bestOfN: [CurvePoint]) {
        self.snapshots = snapshots
        self.bestOfN = bestOfN
    }

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case snapshots
        case bestOfN = "best_of_n"
    }
}

/// Best-of-n sampling with a reward model: draw n, keep the highest-scored.
public enum BestOfN {
    /// The n values of the baseline.
    public static let defaultNs = [1, 2, 4, 8, 16]

    /// KL(best-of-n ‖ base) = log n − (n−1)/n (Stiennon et al. 2020; Gao et al. 2022), in nats.
    public static func kl(n: Int) -> Double {
        precondition(n >= 1, "best-of-n needs n ≥ 1")
        return log(Double(n)) - Double(n - 1) / Double(n)
    }

    /// The best-of-n points from `samples` (prompt-major, `perPrompt` responses a prompt): each prompt's samples are
    /// split into `perPrompt / n` disjoint groups of n, the highest RM score of each group is kept, and its RM and
    /// gold are averaged over groups and prompts. An n above `perPrompt` is skipped.
    /// - Complexity: O(r log r) for r responses.
    public static func points(_ samples: [JudgedResponse], perPrompt: Int, ns: [Int] = defaultNs) -> [CurvePoint] {
        guard perPrompt >= 1 else { return [] }
        let prompts = samples.count / perPrompt
        return ns.filter { $0 >= 1 && $0 <= perPrompt }.map { n in
            var rm: [Double] = [], gold: [Double] = []
            for p in 0..<prompts {
                let own = samples[(p * perPrompt)..<((p + 1) * perPrompt)]
                for g in 0..<(perPrompt / n) {
                    let group = own.dropFirst(g * n).prefix(n)
                    let scored = group.compactMap { response in response.rmScore.map { (response: response, score: $0) } }
                    guard let best = scored.max(by: { $0.score < $1.score }) else { continue }
                    rm.append(best.score)
                    if let value = best.response.gold { gold.append(value) }
                }
            }
            return CurvePoint(label: "bon-\(n)", n: n, kl: kl(n: n), gold: gold.isEmpty ? nil : Statistics.mean(gold), rm: Statistics.mean(rm))
        }
    }
}
