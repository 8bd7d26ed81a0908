/// Per-token rewards of one response: −β·KLₜ on every token, plus the sequence score on the last.
enum RewardAssembly {
    /// The reward of each token; empty for an empty response.
    static func rewards(kl: [Double], score: Double, beta: Double) -> [Double] {
        var rewards = kl.map { -beta * $0 }
        if !rewards.isEmpty { rewards[rewards.count - 1] += score }
        return rewards
    }
}
