import XCTest
@testable import Model
import TestSupport

/// The convenience objectives: SFT cross-entropy step and the Bradley–Terry reward loss.
final class ObjectiveTests: XCTestCase {
    func testBradleyTerryValueAndGradient() throws {
        let chosen: [Float] = [1, -0.5, 2], rejected: [Float] = [0, 0.5, 2]
        let bt = try LogitMath.bradleyTerry(chosen: chosen, rejected: rejected)
        let expected = [1.0, -1.0, 0.0].map { Foundation.log(1 + Foundation.exp(-$0)) }.reduce(0, +) / 3
        XCTAssertEqual(bt.loss, expected, accuracy: 1e-6)
        GradientCheck.check("bt.chosen", x: chosen, analytic: bt.dChosen, eps: 1e-3) {
            try! LogitMath.bradleyTerry(chosen: $0, rejected: rejected).loss
        }
        GradientCheck.check("bt.rejected", x: rejected, analytic: bt.dRejected, eps: 1e-3) {
            try! LogitMath.bradleyTerry(chosen: chosen, rejected: $0).loss
        }
    }

    func testRewardModelLearnsAPreference() throws {
        let rm = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 3)
        let opt = AdamW(model: rm, options: .init(weightDecay: 0))
        // Chosen sequences end in token 1, rejected in token 2.
        let batch = try Batch(sequences: [[8, 3, 1], [8, 4, 5, 1], [8, 3, 2], [8, 4, 5, 2]], padToken: 10)
        var first = 0.0, last = 0.0
        for step in 0..<40 {
            let scores = try rm.forward(batch).scores
            let bt = try LogitMath.bradleyTerry(chosen: Array(scores[0..<2]), rejected: Array(scores[2..<4]))
            if step == 0 { first = bt.loss }
            last = bt.loss
            try rm.backward(dValues: try batch.scoreGradientToValues(bt.dChosen + bt.dRejected))
            try opt.update(rm, learningRate: 1e-2)
        }
        XCTAssertLessThan(last, 0.2 * first, "\(first) -> \(last)")
    }

    func testAccumulateCrossEntropyOnlyLearnsMaskedTokens() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 4)
        let batch = try Batch(sequences: [[8, 1, 2, 3]], padToken: 10)
        let noLearning = try model.accumulateCrossEntropy(batch, lossMask: [0, 0, 0, 0])
        XCTAssertEqual(noLearning, 0)
        XCTAssertEqual(AdamW.gradientNorm(of: model), 0)
        let loss = try model.accumulateCrossEntropy(batch, lossMask: [0, 0, 1, 1])
        XCTAssertGreaterThan(loss, 0)
        XCTAssertGreaterThan(AdamW.gradientNorm(of: model), 0)
    }

    func testInPlaceCrossEntropyStepEqualsTheArrayPath() throws {
        let batch = try TestModels.batch()
        let mask: [Float] = [0, 1, 1, 1, 0.5, 1, 1, 1, 1, 0, 0, 0]
        let viaArrays = try LlamaModel(config: TestModels.config, seed: 7)
        let (targets, weights) = try batch.nextTokenTargets(lossMask: mask)
        let out = try viaArrays.forward(batch)
        let ce = try LogitMath.maskedCrossEntropy(logits: out.logits, targets: targets, weights: weights,
                                                  vocabSize: TestModels.config.vocabSize, normalizer: 3)
        try viaArrays.backward(dLogits: ce.dLogits)
        let inPlace = try LlamaModel(config: TestModels.config, seed: 7)
        let loss = try inPlace.accumulateCrossEntropy(batch, lossMask: mask, normalizer: 3)
        XCTAssertEqual(loss, ce.loss)
        XCTAssertEqual(inPlace.gradients.array(), viaArrays.gradients.array())
        XCTAssertGreaterThan(AdamW.gradientNorm(of: inPlace), 0)
        let rm = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 7)
        XCTAssertThrowsError(try rm.accumulateCrossEntropy(batch)) { error in
            guard case ModelError.invalidState = error else { return XCTFail("\(error)") }
        }
    }
}
