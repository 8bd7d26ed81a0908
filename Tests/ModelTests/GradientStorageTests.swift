import XCTest
@testable import Model
import TestSupport

/// Gradient storage exists only for what trains: full fine-tuning packs every gradient in the parameter layout, while a
/// LoRA reward model or a head-only critic on a frozen trunk holds its adapter's and head's gradients and nothing of
/// the base's.
final class GradientStorageTests: XCTestCase {
    /// A few AdamW steps of Σ r·values on a scalar-head model (what a critic or a reward model backpropagates).
    private func trainScalarHead(_ model: LlamaModel, steps: Int) throws {
        let batch = try TestModels.batch()
        let r = GradientCheck.random(batch.tokens.count, seed: 7)
        let optimizer = AdamW(model: model, options: .init(weightDecay: 0.1))
        for _ in 0..<steps {
            _ = try model.forward(batch)
            try model.backward(dValues: r)
            try optimizer.update(model, learningRate: 0.05)
        }
    }

    func testFullTrainingPacksGradientsInTheParameterLayout() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 1)
        XCTAssertEqual(model.gradientLayout.offsets, model.layout.slices.map { Optional($0.offset) }, "every slice at its parameter offset")
        XCTAssertEqual(model.gradientLayout.count, model.parameterCount)
        try model.accumulateCrossEntropy(try TestModels.batch())
        XCTAssertEqual(model.gradientBytes, model.parameterCount * 4)
        for s in model.layout.slices {
            let g = try XCTUnwrap(try model.gradient(named: s.name), s.name)
            XCTAssertEqual(g, model.gradients.array(offset: s.offset, count: s.count), s.name)
            XCTAssertGreaterThan(g.map(abs).max() ?? 0, 0, s.name)
        }
    }

    func testLoRARewardModelHoldsOnlyAdapterAndHeadGradients() throws {
        let model = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 2)
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: 4), model: model.config, seed: 3)
        try model.attach(adapter)
        model.setTrainable(true) { $0 == "score.weight" }
        let base = model.parameters.array()
        let C = model.config.hiddenSize
        try trainScalarHead(model, steps: 3)
        XCTAssertEqual(model.gradients.count, C, "the model's gradient buffer is the score head")
        XCTAssertEqual(model.gradientBytes, (adapter.parameterCount + C) * 4, "adapter and head, nothing of the base")
        for s in model.layout.slices where s.name != "score.weight" {
            XCTAssertNil(try model.gradient(named: s.name), s.name)
            XCTAssertEqual(model.parameters.array(offset: s.offset, count: s.count), Array(base[s.offset..<(s.offset + s.count)]), s.name)
        }
        let head = try XCTUnwrap(model.layout.slice(named: "score.weight"))
        XCTAssertNotEqual(model.parameters.array(offset: head.offset, count: head.count),
                          Array(base[head.offset..<(head.offset + head.count)]), "the head trained")
    }

    func testHeadOnlyCriticOnAFrozenTrunkHoldsOnlyTheHeadGradient() throws {
        let model = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 4)
        model.freezeAllButHead()
        try trainScalarHead(model, steps: 2)
        XCTAssertEqual(model.gradientBytes, model.config.hiddenSize * 4)
        XCTAssertEqual(AdamW(model: model).stateCount, model.config.hiddenSize)
    }

    func testAFrozenModelNeverAllocatesGradients() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 5)
        model.setTrainable(false) { _ in true }
        try model.accumulateCrossEntropy(try TestModels.batch())
        model.zeroGradients()
        XCTAssertEqual(AdamW.gradientNorm(of: model), 0)
        XCTAssertFalse(model.hasGradientBuffer)
        XCTAssertEqual(model.gradientBytes, 0)
    }

    func testChangingTrainableFlagsKeepsTheGradientsOfWhatStillTrains() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 6)
        try model.accumulateCrossEntropy(try TestModels.batch())
        let before = try Dictionary(uniqueKeysWithValues: model.layout.slices.map { ($0.name, try model.gradient(named: $0.name)!) })
        let frozen = { (name: String) in name.hasPrefix("model.layers.0.") }
        model.setTrainable(false, where: frozen)
        XCTAssertEqual(model.gradients.count, model.layout.slices.filter { !frozen($0.name) }.map(\.count).reduce(0, +))
        for s in model.layout.slices {
            if frozen(s.name) {
                XCTAssertNil(try model.gradient(named: s.name), s.name)
            } else {
                XCTAssertEqual(try model.gradient(named: s.name), before[s.name], s.name)
            }
        }
        model.setTrainable(true, where: frozen)
        let up = try XCTUnwrap(try model.gradient(named: "model.layers.0.mlp.up_proj.weight"))
        XCTAssertEqual(up.map(abs).max(), 0, "a slice that trains again starts from zero")
        XCTAssertEqual(try model.gradient(named: "model.norm.weight"), before["model.norm.weight"])
        XCTAssertThrowsError(try model.gradient(named: "no.such.weight"))
    }
}
