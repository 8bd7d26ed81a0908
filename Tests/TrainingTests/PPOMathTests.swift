import Foundation
import XCTest
@testable import Training

/// Hand-computed checks of the PPO building blocks (no model involved).
final class PPOMathTests: XCTestCase {
    private func assertClose(_ a: [Double], _ b: [Double], accuracy: Double = 1e-9, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
    }

    func testGAEMatchesHandComputedExample() {
        // γ = 0.9, λ = 0.8: δ2 = 1 − 0.7 = 0.3; δ1 = 0.9·0.7 − 0.6 = 0.03; δ0 = 0.9·0.6 − 0.5 = 0.04.
        // A2 = 0.3; A1 = 0.03 + 0.72·0.3 = 0.246; A0 = 0.04 + 0.72·0.246 = 0.21712.
        let result = GAE.compute(rewards: [0, 0, 1], values: [0.5, 0.6, 0.7], gamma: 0.9, lambda: 0.8)
        assertClose(result.advantages, [0.21712, 0.246, 0.3])
        assertClose(result.returns, [0.71712, 0.846, 1.0])
    }

    func testGAEWithLambdaOneAndGammaOneIsMonteCarlo() {
        let result = GAE.compute(rewards: [1, 2, 3], values: [0.5, -1, 2], gamma: 1, lambda: 1)
        assertClose(result.returns, [6, 5, 3])
        assertClose(result.advantages, [5.5, 6, 1])
    }

    func testWhiteningGivesZeroMeanUnitStd() {
        let w = Whitening.whiten([1, 2, 3, 4])
        let s = 1 / 1.25.squareRoot()
        assertClose(w, [-1.5 * s, -0.5 * s, 0.5 * s, 1.5 * s], accuracy: 1e-7)
        let kept = Whitening.whiten([1, 2, 3, 4], shiftMean: false)
        XCTAssertEqual(kept.reduce(0, +) / 4, 2.5, accuracy: 1e-9)
    }

    func testKLEstimatorsOnHandValues() {
        // π = 0.5, π_ref = 0.25: k1 = log 2; k3 = (0.5 − 1) − log 0.5.
        XCTAssertEqual(KLEstimator.k1.estimate(logProb: log(0.5), referenceLogProb: log(0.25)), log(2), accuracy: 1e-12)
        XCTAssertEqual(KLEstimator.k3.estimate(logProb: log(0.5), referenceLogProb: log(0.25)), -0.5 + log(2), accuracy: 1e-12)
        // Where π < π_ref, k1 is negative but k3 stays positive.
        XCTAssertLessThan(KLEstimator.k1.estimate(logProb: log(0.1), referenceLogProb: log(0.4)), 0)
        XCTAssertGreaterThan(KLEstimator.k3.estimate(logProb: log(0.1), referenceLogProb: log(0.4)), 0)
    }

    func testKLEstimatorsAreUnbiasedOnKnownTemperedDistributions() throws {
        // Actor logits (1, 2, 3) and reference logits (0, 0, 0) at temperature 2: π = softmax(0.5, 1, 1.5), π_ref uniform.
        let temperature = 2.0
        let actorRows: [Float] = [1, 2, 3, 1, 2, 3, 1, 2, 3]
        let referenceRows: [Float] = [0, 0, 0, 0, 0, 0, 0, 0, 0]
        let tokens: [Int32] = [0, 1, 2]
        let logP = try TemperedLogits.logProbs(rows: actorRows, tokens: tokens, vocabSize: 3, temperature: temperature)
        let logQ = try TemperedLogits.logProbs(rows: referenceRows, tokens: tokens, vocabSize: 3, temperature: temperature)
        let z = exp(0.5) + exp(1.0) + exp(1.5)
        let p = [exp(0.5) / z, exp(1.0) / z, exp(1.5) / z]
        assertClose(logP, p.map { log($0) }, accuracy: 1e-6)
        assertClose(logQ, [log(1.0 / 3), log(1.0 / 3), log(1.0 / 3)], accuracy: 1e-6)
        let trueKL = zip(p, p.map { log($0) + log(3) }).reduce(0) { $0 + $1.0 * $1.1 }
        for estimator in KLEstimator.allCases {
            let perToken = estimator.estimate(logProbs: logP, referenceLogProbs: logQ)
            let expectation = zip(p, perToken).reduce(0) { $0 + $1.0 * $1.1 }
            XCTAssertEqual(expectation, trueKL, accuracy: 1e-6, "\(estimator) is unbiased")
        }
        // Untempered logits give a different (larger) KL, so the temperature really enters.
        let untempered = try TemperedLogits.logProbs(rows: actorRows, tokens: tokens, vocabSize: 3, temperature: 1)
        XCTAssertNotEqual(untempered[2], logP[2], accuracy: 1e-3)
    }

    func testTemperedBackwardMatchesFiniteDifferences() throws {
        let rows: [Float] = [0.3, -0.2, 0.9, 0.1, 1.2, -0.7, 0.0, 0.4]
        let tokens: [Int32] = [2, 0]
        let w = [0.7, -1.3], u = [0.4, 0.9]
        let T = 0.7
        func loss(_ r: [Float]) throws -> Double {
            let lp = try TemperedLogits.logProbs(rows: r, tokens: tokens, vocabSize: 4, temperature: T)
            let h = TemperedLogits.entropies(rows: r, vocabSize: 4, temperature: T)
            return zip(w, lp).reduce(0) { $0 + $1.0 * $1.1 } + zip(u, h).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let grad = try TemperedLogits.backward(rows: rows, tokens: tokens, dLogProbs: w, dEntropy: u, vocabSize: 4, temperature: T)
        for i in rows.indices {
            var plus = rows, minus = rows
            plus[i] += 1e-2
            minus[i] -= 1e-2
            let numeric = (try loss(plus) - loss(minus)) / 2e-2
            XCTAssertEqual(Double(grad[i]), numeric, accuracy: 2e-3, "row element \(i)")
        }
    }

    func testClippedPolicyLossAndClipFraction() {
        // ρ = 1.5, A = 1: clipped (−1.2) beats −1.5. ρ = 0.5, A = −1: clipped 0.8 beats 0.5.
        // ρ = 1, A = 2: −2 unclipped. ρ = 1.1, A = −2: 2.2 inside the range.
        let logProbs = [log(1.5), log(0.5), 0, log(1.1)]
        let loss = PolicyLoss(logProbs: logProbs, oldLogProbs: [0, 0, 0, 0], advantages: [1, -1, 2, -2], clipRange: 0.2)
        XCTAssertEqual(loss.loss, (-1.2 + 0.8 - 2 + 2.2) / 4, accuracy: 1e-9)
        XCTAssertEqual(loss.clipFraction, 0.5)
        XCTAssertEqual(loss.meanRatio, 4.1 / 4, accuracy: 1e-9)
        let approx = 0.5 * (pow(log(1.5), 2) + pow(log(0.5), 2) + pow(log(1.1), 2)) / 4
        XCTAssertEqual(loss.approxKL, approx, accuracy: 1e-12)
        // ∂/∂log π of −A·ρ/N is −A·ρ/N where unclipped, 0 where the clip holds.
        assertClose(loss.gradient, [0, 0, -2.0 / 4, 2.2 / 4], accuracy: 1e-9)
    }

    func testPolicyGradientMatchesFiniteDifferencesAwayFromKinks() {
        let logProbs = [0.05, -0.4, 0.3, -0.02], old = [0.0, 0.0, 0.0, 0.0], adv = [0.5, 1.5, -0.7, -1.1]
        let analytic = PolicyLoss(logProbs: logProbs, oldLogProbs: old, advantages: adv, clipRange: 0.2).gradient
        for i in logProbs.indices {
            var plus = logProbs, minus = logProbs
            plus[i] += 1e-6
            minus[i] -= 1e-6
            let numeric = (PolicyLoss(logProbs: plus, oldLogProbs: old, advantages: adv, clipRange: 0.2).loss
                - PolicyLoss(logProbs: minus, oldLogProbs: old, advantages: adv, clipRange: 0.2).loss) / 2e-6
            XCTAssertEqual(analytic[i], numeric, accuracy: 1e-6)
        }
    }

    func testClippedValueLossAndClipFraction() {
        // V = 1.0 (old 0.5, R 2): clipped to 0.7, error 1.3² > 1² → clipped, no gradient.
        // V = 0.0 (old 0.5, R 1): clipped to 0.3, 0.7² < 1² → plain. V = 0.5 = old (R 0): plain.
        let loss = ValueLoss(values: [1.0, 0.0, 0.5], oldValues: [0.5, 0.5, 0.5], returns: [2.0, 1.0, 0.0],
                             clipRange: 0.2, coefficient: 0.5)
        XCTAssertEqual(loss.loss, 0.5 / 3 * (0.5 * 1.69 + 0.5 * 1 + 0.5 * 0.25), accuracy: 1e-9)
        XCTAssertEqual(loss.clipFraction, 1.0 / 3, accuracy: 1e-12)
        assertClose(loss.gradient, [0, 0.5 / 3 * -1, 0.5 / 3 * 0.5], accuracy: 1e-12)
    }

    func testEntropyBonusRewardsEntropy() {
        let bonus = EntropyBonus(entropies: [1, 2, 3], coefficient: 0.1)
        XCTAssertEqual(bonus.meanEntropy, 2)
        XCTAssertEqual(bonus.loss, -0.2, accuracy: 1e-12)
        assertClose(bonus.gradient, [-0.1 / 3, -0.1 / 3, -0.1 / 3])
    }

    func testEOSTruncationAndMissingEOSPenalty() {
        let cut = TruncatedResponse(tokens: [5, 6, 9, 7, 9], eos: 9)
        XCTAssertEqual(cut.tokens, [5, 6, 9])
        XCTAssertTrue(cut.hasEOS)
        XCTAssertEqual(cut.textTokens, [5, 6])
        XCTAssertEqual(cut.penalised(score: 0.3, missingEOSPenalty: -1), 0.3)
        let open = TruncatedResponse(tokens: [5, 6, 7], eos: 9)
        XCTAssertEqual(open.tokens, [5, 6, 7])
        XCTAssertFalse(open.hasEOS)
        XCTAssertEqual(open.penalised(score: 0.3, missingEOSPenalty: -1), -0.7, accuracy: 1e-12)
    }

    func testRewardAssemblyPutsScoreOnLastToken() {
        assertClose(RewardAssembly.rewards(kl: [0.1, -0.2, 0.3], score: 2, beta: 0.5), [-0.05, 0.1, 1.85])
        XCTAssertEqual(RewardAssembly.rewards(kl: [], score: 2, beta: 0.5), [])
    }

    func testAdaptiveKLControllerMovesBetaTowardTarget() {
        var high = KLController.adaptive(initial: 0.1, target: 6, horizon: 100)
        high.update(observedKL: 12, sequences: 10)
        XCTAssertEqual(high.beta, 0.1 * (1 + 0.2 * 0.1), accuracy: 1e-12, "KL above target raises β (error clipped at 0.2)")
        var low = KLController.adaptive(initial: 0.1, target: 6, horizon: 100)
        low.update(observedKL: 5.4, sequences: 10)
        XCTAssertEqual(low.beta, 0.1 * (1 - 0.1 * 0.1), accuracy: 1e-12, "KL below target lowers β")
        var onTarget = KLController.adaptive(initial: 0.1, target: 6, horizon: 100)
        onTarget.update(observedKL: 6, sequences: 10)
        XCTAssertEqual(onTarget.beta, 0.1, accuracy: 1e-15)
        var fixed = KLController.fixed(0.05)
        fixed.update(observedKL: 100, sequences: 10)
        XCTAssertEqual(fixed.beta, 0.05)
    }

    func testWinFractionOnHandMadeRewardModel() {
        let rm: [String: Double] = ["short": 0, "medium": 0, "great": 2]
        let group = ["great", "short", "medium"]
        let wins = GroupRewards.winFractions(scores: group.map { rm[$0]! })
        let s2 = 1 / (1 + exp(-2.0))
        assertClose(wins, [s2, (1 - s2 + 0.5) / 2, (1 - s2 + 0.5) / 2], accuracy: 1e-12)
        XCTAssertEqual(wins.reduce(0, +), 1.5, accuracy: 1e-12, "pairwise wins sum to k/2")
        XCTAssertEqual(GroupRewards.winFractions(scores: [3]), [0.5])
    }

    func testGroupBaselineAdvantages() {
        assertClose(GroupRewards.baselineAdvantages(rewards: [1, 2, 3, 6], normalise: false), [-2, -1, 0, 3])
        let std = 3.5.squareRoot()
        assertClose(GroupRewards.baselineAdvantages(rewards: [1, 2, 3, 6], normalise: true),
                    [-2 / std, -1 / std, 0, 3 / std], accuracy: 1e-5)
    }
}
