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

    func testLoRARewardModelTrainsAdapterAndHeadWithoutBaseGradientStorage() throws {
        let config = LlamaConfig(hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 2,
                                 numKeyValueHeads: 1, maxPositionEmbeddings: 96).withScalarHead()
        let model = try LlamaModel(config: config, seed: 3)
        let base = model.parameters.array()
        let adapter = try RewardModelKind.attachLoRA(LoRASpec.Setting(config: LoRAConfig(rank: 4, alpha: 8), merge: false),
                                                     to: model, seed: 5)
        let schedule = TrainingSchedule(steps: 20, batchSize: 4, learningRate: 1e-2, warmupSteps: 0, weightDecay: 0)
        let trainer = RewardTrainer(model: model, tokenizer: ByteTokenizer(), schedule: schedule)
        let pairs = (0..<4).map { (prompt: "what is \($0) plus 1?", chosen: "\($0 + 1)", rejected: "no.") }
        let first = try trainer.step(pairs, index: 0).loss
        var last = first
        for step in 1..<schedule.steps { last = try trainer.step(pairs, index: step).loss }
        XCTAssertLessThan(last, first, "the adapter and head learn")
        XCTAssertEqual(model.gradientBytes, (adapter.parameterCount + config.hiddenSize) * 4,
                       "gradient storage for the adapter and the score head, none for the frozen base")
        let head = try XCTUnwrap(model.layout.slice(named: "score.weight"))
        XCTAssertEqual(Array(model.parameters.array()[..<head.offset]), Array(base[..<head.offset]), "the base did not move")
    }

    func testCalibration() {
        let calibration = Calibration([(0.95, true), (0.95, true), (0.05, false), (0.05, true)])
        XCTAssertEqual(calibration.bins.count, 2)
        XCTAssertEqual(calibration.ece, 0.5 * 0.05 + 0.5 * 0.45, accuracy: 1e-12)
    }
}
