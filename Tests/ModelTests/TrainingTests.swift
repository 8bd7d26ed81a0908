import XCTest
@testable import Model

/// AdamW, schedules, clipping and the overfit check.
final class TrainingTests: XCTestCase {
    func testTinyModelOverfitsAFixedBatch() throws {
        var config = TestModels.config
        config.initializerRange = 0.02
        let model = try LlamaModel(config: config, seed: 7)
        let opt = AdamW(model: model, options: .init(weightDecay: 0))
        let batch = try Batch(sequences: [[8, 1, 2, 3, 4, 5, 6, 7, 9], [8, 7, 6, 5, 4, 9]], padToken: 10)
        let (targets, weights) = try batch.nextTokenTargets()
        var first = 0.0, last = 0.0
        for step in 0..<150 {
            let out = try model.forward(batch)
            let ce = try LogitMath.maskedCrossEntropy(logits: out.logits, targets: targets, weights: weights,
                                                      vocabSize: config.vocabSize)
            if step == 0 { first = ce.loss }
            last = ce.loss
            try model.backward(dLogits: ce.dLogits)
            try opt.update(model, learningRate: 1e-2)
        }
        XCTAssertLessThan(last, 0.05 * first, "loss \(first) -> \(last)")
    }

    func testNonFiniteGradientThrowsAndLeavesParametersAlone() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 1)
        let before = model.parameters.array()
        model.gradients.pointer[3] = .nan
        let opt = AdamW(model: model)
        XCTAssertThrowsError(try opt.update(model, learningRate: 1e-3)) { error in
            guard case ModelError.nonFiniteGradient = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(model.parameters.array(), before)
    }

    func testNonFiniteLossThrows() {
        XCTAssertThrowsError(try LogitMath.maskedCrossEntropy(logits: [.nan, 0], targets: [0], weights: [1], vocabSize: 2))
    }

    func testClippingBoundsTheAppliedGradientAndNormsDoNotDecay() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 1)
        for i in 0..<model.parameterCount { model.gradients.pointer[i] = 1 }
        let opt = AdamW(model: model, options: .init(weightDecay: 0.5, maxGradNorm: 1))
        let norm = try opt.update(model, learningRate: 0.1)
        XCTAssertEqual(norm, Double(model.parameterCount).squareRoot(), accuracy: 1e-3)
        XCTAssertEqual(AdamW.gradientNorm(of: model), 0, "gradients zeroed after the step")
        let clippedG = Float(1 / Double(model.parameterCount).squareRoot())
        XCTAssertEqual(opt.m.pointer[0], 0.1 * clippedG, accuracy: 1e-6)
        // A norm weight (1.0, no decay) moves by exactly lr·1 on the first Adam step.
        let normWeight = try model.parameter(named: "model.norm.weight")[0]
        XCTAssertEqual(normWeight, 1 - 0.1, accuracy: 1e-3)
    }

    func testFrozenSlicesAreNotUpdated() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 1)
        model.setTrainable(false) { $0.hasPrefix("model.layers.0.") }
        let frozen = try model.parameter(named: "model.layers.0.mlp.up_proj.weight")
        let batch = try TestModels.batch()
        let (t, w) = try batch.nextTokenTargets()
        let out = try model.forward(batch)
        try model.backward(dLogits: try LogitMath.maskedCrossEntropy(logits: out.logits, targets: t, weights: w, vocabSize: 11).dLogits)
        try AdamW(model: model).update(model, learningRate: 0.1)
        XCTAssertEqual(try model.parameter(named: "model.layers.0.mlp.up_proj.weight"), frozen)
        XCTAssertNotEqual(try model.parameter(named: "model.layers.1.mlp.up_proj.weight"), try LlamaModel(config: TestModels.config, seed: 1).parameter(named: "model.layers.1.mlp.up_proj.weight"))
    }

    func testScheduleWarmsUpThenDecays() {
        let cos = LearningRateSchedule(peak: 1, minimum: 0.1, warmupSteps: 4, totalSteps: 14, decay: .cosine)
        XCTAssertEqual(cos.rate(at: 0), 0.25, accuracy: 1e-6)
        XCTAssertEqual(cos.rate(at: 3), 1, accuracy: 1e-6)
        XCTAssertEqual(cos.rate(at: 9), 0.55, accuracy: 1e-5)
        XCTAssertEqual(cos.rate(at: 14), 0.1, accuracy: 1e-6)
        let lin = LearningRateSchedule(peak: 1, minimum: 0, warmupSteps: 0, totalSteps: 10, decay: .linear)
        XCTAssertEqual(lin.rate(at: 5), 0.5, accuracy: 1e-6)
    }
}
