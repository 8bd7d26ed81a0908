import Foundation
import Model
import XCTest
@testable import Training

/// The loss `RewardTrainer.step` reports is the tested Bradley-Terry loss of the scores it trains on.
final class RewardTrainerLossTests: XCTestCase {
    private func trainer(centring: Double = 0, margin: Double = 0) throws -> RewardTrainer {
        let config = LlamaConfig(hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 1, numAttentionHeads: 2,
                                 numKeyValueHeads: 1, maxPositionEmbeddings: 96).withScalarHead()
        let trainer = RewardTrainer(model: try LlamaModel(config: config, seed: 3), tokenizer: ByteTokenizer(),
                                    schedule: TrainingSchedule(steps: 20, batchSize: 8, learningRate: 1e-2, warmupSteps: 2, weightDecay: 0))
        trainer.centring = centring
        trainer.margin = margin
        return trainer
    }

    /// Noiseless pairs: the right sum is always chosen over a refusal.
    private let pairs = (0..<8).map { ("what is \($0) plus 2?", "\($0 + 2)", "i can't help with that, sorry.") }

    /// −log σ(r_c − r_r − margin) + centring (r_c + r_r)², averaged, from scores of separate sequences.
    private func reference(_ trainer: RewardTrainer, margin: Double, centring: Double) throws -> Double {
        let scores = try trainer.scores(pairs.flatMap { [($0.0, $0.1), ($0.0, $0.2)] })
        var total = 0.0
        for i in pairs.indices {
            let chosen = scores[2 * i], rejected = scores[2 * i + 1]
            total += Foundation.log(1 + Foundation.exp(-(chosen - rejected - margin))) + centring * (chosen + rejected) * (chosen + rejected)
        }
        return total / Double(pairs.count)
    }

    func testFirstLossIsLn2AndTheReportedLossFallsOnNoiselessPairs() throws {
        let trainer = try trainer()
        let batch = pairs.map { (prompt: $0.0, chosen: $0.1, rejected: $0.2) }
        let first = try trainer.step(batch, index: 0).loss
        // A fresh scalar head scores everything about equally: −log σ(0) = ln 2.
        XCTAssertEqual(first, Foundation.log(2), accuracy: 0.05)
        var last = first
        for step in 1..<20 { last = try trainer.step(batch, index: step).loss }
        XCTAssertLessThan(last, 0.5 * Foundation.log(2), "the reported loss must fall as the model learns the noiseless preference")
    }

    func testReportedLossEqualsBradleyTerryOfTheScoresWithMarginAndCentring() throws {
        for (margin, centring) in [(0.0, 0.0), (0.5, 0.1)] {
            let trainer = try trainer(centring: centring, margin: margin)
            let batch = pairs.map { (prompt: $0.0, chosen: $0.1, rejected: $0.2) }
            for step in 0..<5 { _ = try trainer.step(batch, index: step) }
            let expected = try reference(trainer, margin: margin, centring: centring)
            let reported = try trainer.step(batch, index: 5).loss
            XCTAssertEqual(reported, expected, accuracy: 1e-4, "margin \(margin), centring \(centring)")
        }
    }
}
