import XCTest
import Kernels
@testable import Model

/// Logits of transformers-made checkpoints (non-default θ; head_dim ≠ hidden/heads with llama3 RoPE scaling)
/// match the logits transformers computed, and a wrong θ or a missing scaling does not.
final class HFReferenceLogitsTests: XCTestCase {
    func testTheta100kBF16LogitsMatchTransformersAndAWrongThetaDoesNot() throws {
        let model = try Checkpoint.loadModel(from: HFFixtures.theta100k)
        XCTAssertEqual(model.config.ropeTheta, 100_000)
        XCTAssertEqual(model.config.torchDtype, "float32", "transformers 5 writes `dtype`, which is informational")
        let expected = try HFFixtures.expectedLogits(HFFixtures.theta100k)
        let (diff, scale) = try HFFixtures.maxDifference(model, expected)
        XCTAssertGreaterThan(scale, 0.5, "logits large enough to compare")
        XCTAssertLessThanOrEqual(diff, 1e-4 * max(1, scale))
        var wrong = model.config
        wrong.ropeTheta = 10_000
        let other = try LlamaModel(config: wrong)
        other.parameters.copy(from: model.parameters, sourceOffset: 0, offset: 0, count: model.parameterCount)
        XCTAssertGreaterThan(try HFFixtures.maxDifference(other, expected).diff, 100 * 1e-4 * max(1, scale))
    }

    func testHeadDimAndLlama3ScalingFromShardedF16MatchTransformers() throws {
        let model = try Checkpoint.loadModel(from: HFFixtures.headDimLlama3)
        XCTAssertEqual(model.config.headDim, 16)
        XCTAssertEqual(model.layout.slice(named: "model.layers.0.self_attn.q_proj.weight")?.shape, [64, 32])
        XCTAssertEqual(model.layout.slice(named: "model.layers.1.self_attn.o_proj.weight")?.shape, [32, 64])
        XCTAssertEqual(model.config.ropeScaling?.kind, .llama3)
        let expected = try HFFixtures.expectedLogits(HFFixtures.headDimLlama3)
        let (diff, scale) = try HFFixtures.maxDifference(model, expected)
        XCTAssertGreaterThan(scale, 0.5)
        XCTAssertLessThanOrEqual(diff, 1e-4 * max(1, scale))
        var unscaled = model.config
        unscaled.ropeScaling = nil
        let other = try LlamaModel(config: unscaled)
        other.parameters.copy(from: model.parameters, sourceOffset: 0, offset: 0, count: model.parameterCount)
        XCTAssertGreaterThan(try HFFixtures.maxDifference(other, expected).diff, 100 * 1e-4 * max(1, scale))
    }

    func testLlama3InverseFrequenciesMatchTransformers() throws {
        struct Case: Decodable {
            struct Config: Decodable {
                let hidden_size: Int, num_attention_heads: Int, head_dim: Int?, max_position_embeddings: Int
                let rope_parameters: Scaling
            }
            struct Scaling: Decodable {
                let rope_theta: Float, factor: Double, low_freq_factor: Double, high_freq_factor: Double
                let original_max_position_embeddings: Int
            }
            let config: Config
            let inv_freq: [Float]
        }
        let url = HFFixtures.root.appendingPathComponent("llama3_inv_freq.json")
        let cases = try JSONDecoder().decode([String: Case].self, from: Data(contentsOf: url))
        XCTAssertEqual(cases.count, 3)
        for (name, c) in cases {
            let p = c.config.rope_parameters
            var config = LlamaConfig(hiddenSize: c.config.hidden_size, intermediateSize: 8, numHiddenLayers: 1,
                                     numAttentionHeads: c.config.num_attention_heads, numKeyValueHeads: 1,
                                     maxPositionEmbeddings: c.config.max_position_embeddings)
            config.explicitHeadDim = c.config.head_dim
            config.ropeTheta = p.rope_theta
            config.ropeScaling = .llama3(factor: p.factor, lowFreqFactor: p.low_freq_factor, highFreqFactor: p.high_freq_factor,
                                         originalMaxPositionEmbeddings: p.original_max_position_embeddings)
            let ours = config.ropeInverseFrequencies
            XCTAssertEqual(ours.count, c.inv_freq.count, name)
            for (i, (a, b)) in zip(ours, c.inv_freq).enumerated() {
                XCTAssertEqual(a, b, accuracy: 2 * b.ulp, "\(name) frequency \(i)") // bit-identical on glibc
            }
            let plain = RoPE.inverseFrequencies(headDim: config.headDim, theta: config.ropeTheta)
            XCTAssertTrue(zip(plain, c.inv_freq).contains { $0 / $1 > 7.9 }, "\(name): low frequencies are divided")
            if name == "headdim_llama3" {
                let mid = zip(plain, c.inv_freq).map { $0 / $1 }.filter { $0 > 1.01 && $0 < 7.99 }
                XCTAssertFalse(mid.isEmpty, "a smoothed medium frequency is covered")
            } else {
                XCTAssertEqual(plain[0], c.inv_freq[0], "\(name): the highest frequency is kept")
            }
        }
        let linear = RoPEScaling.linear(factor: 4).apply(to: [1, 0.5, 0.25])
        XCTAssertEqual(linear, [0.25, 0.125, 0.0625])
    }
}
