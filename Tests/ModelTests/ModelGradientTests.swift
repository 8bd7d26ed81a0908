import XCTest
@testable import Model
import TestSupport

/// Finite-difference checks of the whole model's backward, for the LM head (masked CE) and the scalar head.
final class ModelGradientTests: XCTestCase {
    private func checkAllSlices(_ model: LlamaModel, loss: () throws -> Double) throws {
        for s in model.layout.slices {
            let grads = try XCTUnwrap(try model.gradient(named: s.name), s.name)
            let x = model.parameters.array(offset: s.offset, count: s.count)
            let picks = Array(Set([0, s.count / 3, s.count / 2, s.count - 1])).sorted()
            GradientCheck.check(s.name, x: x, analytic: grads, indices: picks, eps: 1e-2, atol: 3e-3, rtol: 3e-2) { values in
                try! model.setParameter(named: s.name, to: values)
                defer { try! model.setParameter(named: s.name, to: x) }
                return try! loss()
            }
        }
    }

    func testCausalLMGradientMatchesFiniteDifferences() throws {
        for tied in [false, true] {
            var config = TestModels.config
            config.tieWordEmbeddings = tied
            let model = try LlamaModel(config: config, seed: 1)
            let batch = try TestModels.batch()
            var lossMask = [Float](repeating: 1, count: batch.tokens.count)
            lossMask[2] = 0
            let (targets, weights) = try batch.nextTokenTargets(lossMask: lossMask)
            func loss() throws -> Double {
                let out = try model.forward(batch)
                return try LogitMath.maskedCrossEntropy(logits: out.logits, targets: targets, weights: weights,
                                                        vocabSize: config.vocabSize).loss
            }
            let out = try model.forward(batch)
            let ce = try LogitMath.maskedCrossEntropy(logits: out.logits, targets: targets, weights: weights,
                                                      vocabSize: config.vocabSize)
            model.zeroGradients()
            try model.backward(dLogits: ce.dLogits)
            try checkAllSlices(model, loss: loss)
        }
    }

    func testScalarHeadGradientMatchesFiniteDifferences() throws {
        let model = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 2)
        let batch = try TestModels.batch()
        let r = GradientCheck.random(batch.tokens.count, seed: 3)
        // L = Σ r·values (critic-like) + 2·score₁ (reward-like, at the last real token).
        func loss() throws -> Double {
            let out = try model.forward(batch)
            return GradientCheck.dot(out.values, r) + 2 * Double(out.scores[1])
        }
        _ = try model.forward(batch)
        var dValues = r
        dValues[1 * batch.seqLen + batch.lastTokenIndex[1]] += 2
        model.zeroGradients()
        try model.backward(dValues: dValues)
        XCTAssertEqual(model.layout.slice(named: "score.weight")?.shape, [1, 16])
        XCTAssertNil(model.layout.slice(named: "lm_head.weight"))
        try checkAllSlices(model, loss: loss)
    }

    func testFrozenSlicesGetNoGradient() throws {
        let model = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 4)
        model.freezeAllButHead()
        let batch = try TestModels.batch()
        _ = try model.forward(batch)
        try model.backward(dValues: [Float](repeating: 1, count: batch.tokens.count))
        for (i, s) in model.layout.slices.enumerated() {
            let gradient = try model.gradient(named: s.name)
            if model.trainable[i] {
                XCTAssertGreaterThan(try XCTUnwrap(gradient, s.name).map(abs).max() ?? 0, 0, s.name)
            } else {
                XCTAssertNil(gradient, "\(s.name): a frozen slice has no gradient storage")
            }
        }
        XCTAssertEqual(model.gradientBytes, model.config.hiddenSize * 4, "the head's gradient alone")
    }

    func testPartlyFrozenFusedGroupsGiveTheSameGradients() throws {
        let batch = try TestModels.batch()
        let upstream = GradientCheck.random(batch.tokens.count, seed: 6)
        func model(freezing frozen: Set<String>) throws -> LlamaModel {
            let model = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 5)
            model.setTrainable(false) { frozen.contains($0) }
            _ = try model.forward(batch)
            try model.backward(dValues: upstream)
            return model
        }
        let frozen: Set = ["model.layers.0.self_attn.k_proj.weight", "model.layers.1.mlp.up_proj.weight"]
        let full = try model(freezing: []), part = try model(freezing: frozen)
        let q = try XCTUnwrap(full.layout.slice(named: "model.layers.0.self_attn.q_proj.weight"))
        let k = try XCTUnwrap(full.layout.slice(named: "model.layers.0.self_attn.k_proj.weight"))
        XCTAssertEqual(k.offset, q.offset + q.count, "q and k are one matrix")
        for s in full.layout.slices {
            let expected = try XCTUnwrap(try full.gradient(named: s.name), s.name)
            let gradient = try part.gradient(named: s.name)
            if frozen.contains(s.name) {
                XCTAssertNil(gradient, s.name)
                continue
            }
            let got = try XCTUnwrap(gradient, s.name)
            XCTAssertGreaterThan(expected.map(abs).max() ?? 0, 0, s.name)
            for (e, g) in zip(expected, got) { XCTAssertEqual(g, e, accuracy: 1e-5 * (1 + abs(e)), s.name) }
        }
    }

    func testBackwardWithoutForwardThrows() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 1)
        XCTAssertThrowsError(try model.backward(dLogits: [])) { error in
            guard case ModelError.invalidState = error else { return XCTFail("\(error)") }
        }
    }
}
