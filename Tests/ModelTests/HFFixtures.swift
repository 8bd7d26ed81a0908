import Foundation
@testable import Model

/// The transformers-made checkpoints under `Fixtures/hf` (see bench/make_hf_fixtures.py).
enum HFFixtures {
    /// `Tests/ModelTests/Fixtures/hf`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/hf")

    /// θ = 100,000 in `rope_parameters`, bf16 weights in one file.
    static var theta100k: URL { root.appendingPathComponent("theta100k") }
    /// head_dim 16 ≠ 32/4, llama3 RoPE scaling, f16 weights in three shards.
    static var headDimLlama3: URL { root.appendingPathComponent("headdim_llama3") }

    /// The tokens and the logits (T,V) transformers computed for the checkpoint in `directory`.
    static func expectedLogits(_ directory: URL) throws -> (tokens: [Int32], logits: [[Float]]) {
        struct File: Decodable { let tokens: [Int32]; let logits: [[Float]] }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: directory.appendingPathComponent("expected_logits.json")))
        return (file.tokens, file.logits)
    }

    /// Largest |ours − expected| over all positions, and the largest |expected|.
    static func maxDifference(_ model: LlamaModel, _ expected: (tokens: [Int32], logits: [[Float]])) throws -> (diff: Float, scale: Float) {
        let out = try model.forward(Batch(sequences: [expected.tokens], padToken: model.config.padTokenId))
        let flat = expected.logits.joined()
        let diff = zip(out.logits, flat).map { abs($0 - $1) }.max() ?? .infinity
        return (diff, flat.map(abs).max() ?? 0)
    }

    /// A fresh copy of fixture `directory` in a temporary directory removed at teardown by `cleanup`.
    static func copy(_ directory: URL, cleanup: (@escaping () -> Void) -> Void) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-fixture-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: directory, to: url)
        cleanup { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
