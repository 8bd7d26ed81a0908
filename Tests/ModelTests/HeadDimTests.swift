import XCTest
@testable import Model
import TestSupport

/// `head_dim` wider than hidden_size / heads: projections of heads × head_dim rows, gradients by finite
/// differences, and KV-cache generation equal to recomputation.
final class HeadDimTests: XCTestCase {
    /// TestModels' config with head_dim 8 (q/o projections 32 wide on a 16-wide model).
    private var config: LlamaConfig {
        var c = TestModels.config
        c.explicitHeadDim = 8
        return c
    }

    func testProjectionShapesFollowHeadDim() throws {
        let model = try LlamaModel(config: config, seed: 1)
        XCTAssertEqual(model.layout.slice(named: "model.layers.0.self_attn.q_proj.weight")?.shape, [32, 16])
        XCTAssertEqual(model.layout.slice(named: "model.layers.0.self_attn.k_proj.weight")?.shape, [16, 16])
        XCTAssertEqual(model.layout.slice(named: "model.layers.0.self_attn.o_proj.weight")?.shape, [16, 32])
        XCTAssertEqual(model.config.ropeInverseFrequencies.count, 4)
    }

    func testGradientMatchesFiniteDifferences() throws {
        let model = try LlamaModel(config: config, seed: 2)
        let batch = try TestModels.batch()
        let (targets, weights) = try batch.nextTokenTargets()
        func loss() throws -> Double {
            let out = try model.forward(batch)
            return try LogitMath.maskedCrossEntropy(logits: out.logits, targets: targets, weights: weights,
                                                    vocabSize: config.vocabSize).loss
        }
        let out = try model.forward(batch)
        let ce = try LogitMath.maskedCrossEntropy(logits: out.logits, targets: targets, weights: weights, vocabSize: config.vocabSize)
        model.zeroGradients()
        try model.backward(dLogits: ce.dLogits)
        var checkedAttention = 0
        for s in model.layout.slices {
            let grads = model.gradients.array(offset: s.offset, count: s.count)
            let x = model.parameters.array(offset: s.offset, count: s.count)
            let picks = Array(Set([0, s.count / 3, s.count / 2, 2 * s.count / 3, s.count - 1])).sorted()
            if s.name.contains("self_attn") { checkedAttention += 1 }
            GradientCheck.check(s.name, x: x, analytic: grads, indices: picks, eps: 1e-2, atol: 3e-3, rtol: 3e-2) { values in
                try! model.setParameter(named: s.name, to: values)
                defer { try! model.setParameter(named: s.name, to: x) }
                return try! loss()
            }
        }
        XCTAssertEqual(checkedAttention, 8)
    }

    func testKVCacheGenerationEqualsRecompute() throws {
        let model = try LlamaModel(config: config, seed: 11)
        var rng1 = Xoshiro256(seed: 5), rng2 = Xoshiro256(seed: 5)
        var cached = SamplingOptions(temperature: 1, maxNewTokens: 8), recompute = cached
        cached.useKVCache = true
        recompute.useKVCache = false
        let prompts: [[Int32]] = [[8, 1, 2, 3, 4], [8, 5]]
        let a = try model.generate(prompts: prompts, options: cached, rng: &rng1)
        let b = try model.generate(prompts: prompts, options: recompute, rng: &rng2)
        XCTAssertEqual(a.tokens, b.tokens)
        for (x, y) in zip(a.logProbs.joined(), b.logProbs.joined()) { XCTAssertEqual(x, y, accuracy: 1e-4) }
    }
}
