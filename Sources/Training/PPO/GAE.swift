/// Generalised advantage estimation (Schulman et al. 2016) over one response.
enum GAE {
    /// Advantages and returns of one sequence of per-token `rewards` and `values` (same length).
    ///
    /// δₜ = rₜ + γ·Vₜ₊₁ − Vₜ with V after the last token = 0 (the response ends the episode);
    /// Aₜ = δₜ + γλ·Aₜ₊₁; returns Rₜ = Aₜ + Vₜ (the critic's regression target).
    /// - Complexity: O(n).
    static func compute(rewards: [Double], values: [Double], gamma: Double, lambda: Double)
        -> (advantages: [Double], returns: [Double]) {
        precondition(rewards.count == values.count, "GAE needs one value per reward")
        let n = rewards.count
        var advantages = [Double](repeating: 0, count: n)
        var next = 0.0
        for t in stride(from: n - 1, through: 0, by: -1) {
            let nextValue = t + 1 < n ? values[t + 1] : 0
            let delta = rewards[t] + gamma * nextValue - values[t]
            next = delta + gamma * lambda * next
            advantages[t] = next
        }
        let returns = zip(advantages, values).map { $0 + $1 }
        return (advantages, returns)
    }
}
