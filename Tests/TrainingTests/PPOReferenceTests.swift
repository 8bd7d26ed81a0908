import Foundation
import Model
import XCTest
@testable import Training

/// A second, independent check of GAE and PPO's clipped losses: straightforward reference formulas
/// (GAE as the explicit discounted sum of TD errors, losses as written in the papers, gradients by
/// central finite differences of the reference loss) on random inputs.
final class PPOReferenceTests: XCTestCase {
    private var rng = Xoshiro256(seed: 2024)

    /// Uniform in `range`.
    private func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * Double(rng.next() >> 11) / Double(1 << 53)
    }

    private func randoms(_ n: Int, _ range: ClosedRange<Double>) -> [Double] {
        (0..<n).map { _ in uniform(range) }
    }

    /// Aₜ = Σₗ (γλ)ˡ δₜ₊ₗ with δₜ = rₜ + γVₜ₊₁ − Vₜ and V after the last token 0.
    private func referenceAdvantages(rewards: [Double], values: [Double], gamma: Double, lambda: Double) -> [Double] {
        let n = rewards.count
        let deltas = (0..<n).map { t in rewards[t] + gamma * (t + 1 < n ? values[t + 1] : 0) - values[t] }
        return (0..<n).map { t in (t..<n).reduce(0.0) { sum, k in sum + pow(gamma * lambda, Double(k - t)) * deltas[k] } }
    }

    func testGAEMatchesTheExplicitDiscountedSumOfTDErrors() {
        for trial in 0..<50 {
            let n = 1 + trial % 17
            let rewards = randoms(n, -2...2), values = randoms(n, -3...3)
            let gamma = trial % 5 == 0 ? 1 : uniform(0...1), lambda = trial % 7 == 0 ? 0 : uniform(0...1)
            let (advantages, returns) = GAE.compute(rewards: rewards, values: values, gamma: gamma, lambda: lambda)
            let expected = referenceAdvantages(rewards: rewards, values: values, gamma: gamma, lambda: lambda)
            for t in 0..<n {
                XCTAssertEqual(advantages[t], expected[t], accuracy: 1e-9, "trial \(trial), t \(t)")
                XCTAssertEqual(returns[t], expected[t] + values[t], accuracy: 1e-9, "trial \(trial), t \(t)")
            }
        }
    }

    /// mean over tokens of max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)), ρ = e^(log π − log π_old).
    private func referencePolicyLoss(_ logProbs: [Double], _ old: [Double], _ advantages: [Double], _ epsilon: Double) -> Double {
        var total = 0.0
        for i in logProbs.indices {
            let ratio = exp(logProbs[i] - old[i])
            total += max(-advantages[i] * ratio, -advantages[i] * min(max(ratio, 1 - epsilon), 1 + epsilon))
        }
        return total / Double(logProbs.count)
    }

    func testClippedPolicyLossValueStatisticsAndGradientMatchTheReference() {
        for trial in 0..<40 {
            let n = 1 + trial % 13
            let old = randoms(n, -4 ... -0.1)
            let logProbs = old.map { $0 + uniform(-0.5...0.5) }
            let advantages = randoms(n, -2...2), epsilon = uniform(0.05...0.3)
            let loss = PolicyLoss(logProbs: logProbs, oldLogProbs: old, advantages: advantages, clipRange: epsilon)
            XCTAssertEqual(loss.loss, referencePolicyLoss(logProbs, old, advantages, epsilon), accuracy: 1e-12, "trial \(trial)")
            let ratios = zip(logProbs, old).map { exp($0 - $1) }
            let clipped = zip(ratios, advantages).filter { ratio, a in -a * min(max(ratio, 1 - epsilon), 1 + epsilon) > -a * ratio }.count
            XCTAssertEqual(loss.clipFraction, Double(clipped) / Double(n), accuracy: 1e-12)
            XCTAssertEqual(loss.meanRatio, ratios.reduce(0, +) / Double(n), accuracy: 1e-12)
            XCTAssertEqual(loss.approxKL, zip(logProbs, old).map { 0.5 * ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(n), accuracy: 1e-12)
            for i in 0..<n where abs(ratios[i] - (1 - epsilon)) > 1e-4 && abs(ratios[i] - (1 + epsilon)) > 1e-4 {
                let h = 1e-6
                var up = logProbs, down = logProbs
                up[i] += h
                down[i] -= h
                let numeric = (referencePolicyLoss(up, old, advantages, epsilon) - referencePolicyLoss(down, old, advantages, epsilon)) / (2 * h)
                XCTAssertEqual(loss.gradient[i], numeric, accuracy: 1e-6, "trial \(trial), token \(i)")
            }
        }
    }

    /// c · ½ · mean(max((V − R)², (V_old + clip(V − V_old, ±ε) − R)²)).
    private func referenceValueLoss(_ values: [Double], _ old: [Double], _ returns: [Double], _ epsilon: Double, _ c: Double) -> Double {
        var total = 0.0
        for i in values.indices {
            let clippedValue = old[i] + min(max(values[i] - old[i], -epsilon), epsilon)
            total += max(pow(values[i] - returns[i], 2), pow(clippedValue - returns[i], 2))
        }
        return c * 0.5 * total / Double(values.count)
    }

    func testClippedValueLossAndGradientMatchTheReference() {
        for trial in 0..<40 {
            let n = 1 + trial % 11
            let old = randoms(n, -2...2)
            let values = old.map { $0 + uniform(-1...1) }
            let returns = randoms(n, -2...2), epsilon = uniform(0.05...0.5), coefficient = uniform(0.05...1)
            let loss = ValueLoss(values: values, oldValues: old, returns: returns, clipRange: epsilon, coefficient: coefficient)
            XCTAssertEqual(loss.loss, referenceValueLoss(values, old, returns, epsilon, coefficient), accuracy: 1e-12, "trial \(trial)")
            for i in 0..<n where abs(abs(values[i] - old[i]) - epsilon) > 1e-4 {
                let clippedValue = old[i] + min(max(values[i] - old[i], -epsilon), epsilon)
                guard abs(abs(values[i] - returns[i]) - abs(clippedValue - returns[i])) > 1e-4 else { continue }
                let h = 1e-6
                var up = values, down = values
                up[i] += h
                down[i] -= h
                let numeric = (referenceValueLoss(up, old, returns, epsilon, coefficient)
                    - referenceValueLoss(down, old, returns, epsilon, coefficient)) / (2 * h)
                XCTAssertEqual(loss.gradient[i], numeric, accuracy: 1e-6, "trial \(trial), token \(i)")
            }
        }
    }
}
