/// Rewards and advantages computed within groups of completions of the same prompt.
enum GroupRewards {
    /// Self-play reward: each completion's mean probability of beating its siblings under the RM,
    /// P(i ≻ j) = σ(rᵢ − rⱼ). A group of one gets 0.5.
    static func winFractions(scores: [Double]) -> [Double] {
        let k = scores.count
        guard k > 1 else { return scores.map { _ in 0.5 } }
        return (0..<k).map { i in
            var total = 0.0
            for j in 0..<k where j != i { total += Statistics.sigmoid(scores[i] - scores[j]) }
            return total / Double(k - 1)
        }
    }

    /// Critic-free advantages: r − mean(group), divided by (std + eps) when `normalise`.
    static func baselineAdvantages(rewards: [Double], normalise: Bool, eps: Double = 1e-6) -> [Double] {
        guard !rewards.isEmpty else { return [] }
        let mean = Statistics.mean(rewards)
        let centred = rewards.map { $0 - mean }
        guard normalise else { return centred }
        let std = (centred.reduce(0) { $0 + $1 * $1 } / Double(rewards.count)).squareRoot()
        return centred.map { $0 / (std + eps) }
    }
}
