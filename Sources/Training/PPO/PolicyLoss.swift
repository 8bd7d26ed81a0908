import Foundation

/// PPO's clipped surrogate objective over a flat list of response tokens, with its statistics.
struct PolicyLoss {
    /// Mean over tokens of max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)), ρ = exp(log π − log π_old).
    var loss: Double
    /// Fraction of tokens where the clipped term was the larger (the clip was active).
    var clipFraction: Double
    /// ½·mean((log π − log π_old)²), the usual approx-KL of the update.
    var approxKL: Double
    /// Mean of ρ.
    var meanRatio: Double
    /// ∂loss/∂log π per token.
    var gradient: [Double]

    /// Evaluates the loss for `logProbs` (current policy), `oldLogProbs` (rollout policy) and `advantages`.
    init(logProbs: [Double], oldLogProbs: [Double], advantages: [Double], clipRange: Double) {
        let n = logProbs.count
        precondition(oldLogProbs.count == n && advantages.count == n, "policy loss needs parallel arrays")
        var loss = 0.0, clipped = 0, approx = 0.0, ratioSum = 0.0
        var gradient = [Double](repeating: 0, count: n)
        let scale = n > 0 ? 1 / Double(n) : 0
        for i in 0..<n {
            let delta = logProbs[i] - oldLogProbs[i]
            let ratio = exp(delta)
            let a = advantages[i]
            let unclipped = -a * ratio
            let clippedTerm = -a * min(max(ratio, 1 - clipRange), 1 + clipRange)
            if clippedTerm > unclipped {
                clipped += 1
                loss += clippedTerm
            } else {
                loss += unclipped
                gradient[i] = unclipped * scale
            }
            approx += 0.5 * delta * delta
            ratioSum += ratio
        }
        self.loss = loss * scale
        clipFraction = Double(clipped) * scale
        approxKL = approx * scale
        meanRatio = ratioSum * scale
        self.gradient = gradient
    }
}
