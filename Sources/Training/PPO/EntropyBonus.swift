/// The entropy bonus: loss −c·mean(Hₜ) over response tokens, rewarding exploration.
struct EntropyBonus {
    /// Mean per-token entropy.
    var meanEntropy: Double
    /// −c·mean(H).
    var loss: Double
    /// ∂loss/∂Hₜ per token (−c/N each).
    var gradient: [Double]

    /// Evaluates the bonus on per-token `entropies` with coefficient `coefficient`.
    init(entropies: [Double], coefficient: Double) {
        let n = entropies.count
        meanEntropy = Statistics.mean(entropies)
        loss = -coefficient * meanEntropy
        gradient = [Double](repeating: n > 0 ? -coefficient / Double(n) : 0, count: n)
    }
}
