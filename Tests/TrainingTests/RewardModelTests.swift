import Model
import World
import XCTest
@testable import Stages
@testable import Training

/// A reward model trained on a tiny noiseless preference set ranks held-out pairs correctly.
final class RewardModelTests: XCTestCase {
    func testTinyNoiselessPreferencesRankHeldOutPairs() throws {
        var config = LlamaConfig(hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 1, numAttentionHeads: 2,
                                 numKeyValueHeads: 1, maxPositionEmbeddings: 96)
        config = config.withScalarHead()
        let model = try LlamaModel(config: config, seed: 3)
        let schedule = TrainingSchedule(steps: 80, batchSize: 8, learningRate: 3e-3, warmupSteps: 5, weightDecay: 0)
        let trainer = RewardTrainer(model: model, tokenizer: ByteTokenizer(), schedule: schedule)
        trainer.centring = 0.01
        func pair(_ a: Int, _ b: Int) -> (prompt: String, chosen: String, rejected: String) {
            ("what is \(a) plus \(b)?", "\(a + b)", "i can't help with that, sorry.")
        }
        let train = (0..<24).map { pair($0, $0 % 7 + 1) }
        let heldout = (30..<38).map { pair($0, $0 % 5 + 2) }
        for step in 0..<schedule.steps {
            let start = (step * 8) % train.count
            _ = try trainer.step(Array((train + train)[start..<(start + 8)]), index: step)
        }
        let result = try RewardEvaluation(trainer: trainer).pairs(heldout.map { PreferenceRecord(prompt: $0.prompt, chosen: $0.chosen, rejected: $0.rejected) })
        XCTAssertEqual(result.accuracy.pairs, 8)
        XCTAssertEqual(result.accuracy.accuracy, 1, "every held-out pair ranked right")
        XCTAssertGreaterThan(result.accuracy.meanMargin, 0.5)
    }

    func testCalibration() {
        let calibration = Calibration([(0.95, true), (0.95, true), (0.05, false), (0.05, true)])
        XCTAssertEqual(calibration.bins.count, 2)
        XCTAssertEqual(calibration.ece, 0.5 * 0.05 + 0.5 * 0.45, accuracy: 1e-12)
    }
}
