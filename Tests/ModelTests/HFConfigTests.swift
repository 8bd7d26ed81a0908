import XCTest
@testable import Model

/// Hugging Face config.json fields: RoPE θ and scaling in transformers 4 and 5 spellings, head_dim, token
/// ids, and clear errors for unsupported values and absurd sizes.
final class HFConfigTests: XCTestCase {
    /// A valid transformers-style config as a JSON object.
    private func base() -> [String: Any] {
        ["architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 32, "intermediate_size": 48,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 64,
         "max_position_embeddings": 64, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0,
         "tie_word_embeddings": false]
    }

    /// Writes `json` as config.json in a fresh directory and loads it.
    private func load(_ json: [String: Any]) throws -> LlamaConfig {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-hfcfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("config.json"))
        return try Checkpoint.loadConfig(from: dir)
    }

    /// Asserts that loading `json` fails with a message naming config.json and every string in `words`.
    private func assertRejected(_ json: [String: Any], naming words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(json), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("config.json"), text, file: file, line: line)
            for w in words { XCTAssertTrue(text.contains(w), "'\(w)' not in: \(text)", file: file, line: line) }
        }
    }

    private func with(_ changes: [String: Any]) -> [String: Any] { base().merging(changes) { $1 } }

    func testRopeThetaFromTransformers5RopeParametersAndFromTheTopLevel() throws {
        XCTAssertEqual(try load(base()).ropeTheta, 10_000)
        XCTAssertEqual(try load(with(["rope_theta": 500_000])).ropeTheta, 500_000)
        let v5 = with(["rope_parameters": ["rope_type": "default", "rope_theta": 100_000.0]])
        XCTAssertEqual(try load(v5).ropeTheta, 100_000)
        XCTAssertNil(try load(v5).ropeScaling)
        // transformers: the value inside rope_parameters wins over a top-level rope_theta.
        var both = v5
        both["rope_theta"] = 20_000
        XCTAssertEqual(try load(both).ropeTheta, 100_000)
        XCTAssertEqual(try load(with(["rope_parameters": ["rope_type": "default"], "rope_theta": 30_000])).ropeTheta, 30_000)
        XCTAssertEqual(try load(with(["rope_scaling": NSNull(), "rope_theta": 40_000])).ropeTheta, 40_000)
    }

    func testLlama3ScalingFromRopeScalingAndRopeParameters() throws {
        let fields: [String: Any] = ["factor": 8, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                     "original_max_position_embeddings": 16]
        let expected = RoPEScaling.llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 16)
        let v4 = try load(with(["rope_scaling": fields.merging(["rope_type": "llama3"]) { $1 }, "rope_theta": 500_000]))
        XCTAssertEqual(v4.ropeScaling, expected)
        XCTAssertEqual(v4.ropeTheta, 500_000)
        let oldType = try load(with(["rope_scaling": fields.merging(["type": "llama3"]) { $1 }]))
        XCTAssertEqual(oldType.ropeScaling, expected)
        let v5 = try load(with(["rope_parameters": fields.merging(["rope_type": "llama3", "rope_theta": 500_000.0]) { $1 }]))
        XCTAssertEqual(v5.ropeScaling, expected)
        XCTAssertEqual(v5.ropeTheta, 500_000)
        // original_max_position_embeddings defaults to max_position_embeddings, as in transformers.
        var noOriginal = fields
        noOriginal["original_max_position_embeddings"] = nil
        noOriginal["rope_type"] = "llama3"
        XCTAssertEqual(try load(with(["rope_scaling": noOriginal])).ropeScaling?.originalMaxPositionEmbeddings, 64)
        XCTAssertEqual(try load(with(["rope_scaling": ["rope_type": "linear", "factor": 2.0]])).ropeScaling, .linear(factor: 2))
    }

    func testSavedScalingAndHeadDimRoundTripAndLoadInTransformersSpelling() throws {
        var config = try load(base())
        config.ropeScaling = .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 16)
        config.explicitHeadDim = 16
        config.ropeTheta = 100_000
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-hfcfg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Checkpoint.saveConfig(config, to: dir)
        XCTAssertEqual(try Checkpoint.loadConfig(from: dir), config)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as! [String: Any]
        XCTAssertEqual(json["head_dim"] as? Int, 16)
        XCTAssertEqual((json["rope_scaling"] as? [String: Any])?["rope_type"] as? String, "llama3")
        XCTAssertEqual(json["rope_theta"] as? Double, 100_000)
        // A config without head_dim or scaling writes neither (existing checkpoints keep their bytes).
        try Checkpoint.saveConfig(ModelPreset.tiny.config, to: dir)
        let plain = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as! [String: Any]
        XCTAssertNil(plain["head_dim"])
        XCTAssertNil(plain["rope_scaling"])
    }

    func testTokenIdsPadFallsBackToEOSAndEOSListsOfOneAreAccepted() throws {
        var json = base()
        json["pad_token_id"] = nil
        XCTAssertEqual(try load(json).padTokenId, 2)
        json["pad_token_id"] = NSNull()
        json["eos_token_id"] = [3]
        let config = try load(json)
        XCTAssertEqual(config.eosTokenId, 3)
        XCTAssertEqual(config.padTokenId, 3)
        assertRejected(with(["eos_token_id": [2, 3, 4]]), naming: ["eos_token_id", "3 ids"])
    }

    func testTransformersDefaultsForAbsentFields() throws {
        var json = base()
        json["tie_word_embeddings"] = nil
        json["num_key_value_heads"] = nil
        let config = try load(json)
        XCTAssertFalse(config.tieWordEmbeddings, "transformers' LlamaConfig default")
        XCTAssertEqual(config.rmsNormEps, 1e-6)
        XCTAssertEqual(config.numKeyValueHeads, 4)
        XCTAssertEqual(config.headDim, 8)
    }

    func testUnsupportedFieldValuesNameConfigJSONAndTheField() {
        let cases: [([String: Any], [String])] = [
            (["rope_scaling": ["rope_type": "yarn", "factor": 4.0]], ["rope_scaling.rope_type", "yarn"]),
            (["rope_scaling": ["type": "dynamic", "factor": 2.0]], ["rope_scaling.type", "dynamic"]),
            (["rope_parameters": ["rope_type": "longrope", "rope_theta": 1e4]], ["rope_parameters.rope_type", "longrope"]),
            (["rope_parameters": ["rope_type": "llama3", "factor": 8.0, "high_freq_factor": 4.0]],
             ["rope_parameters.low_freq_factor"]),
            (["rope_scaling": ["rope_type": "llama3", "factor": 8.0, "low_freq_factor": 4.0, "high_freq_factor": 4.0]],
             ["rope_scaling.high_freq_factor"]),
            (["rope_scaling": ["rope_type": "linear"]], ["rope_scaling.factor"]),
            (["rope_scaling": ["rope_type": "linear", "factor": -1.0]], ["rope_scaling.factor"]),
            (["rope_parameters": ["rope_type": "default", "partial_rotary_factor": 0.5]], ["partial_rotary_factor"]),
            (["partial_rotary_factor": 0.25], ["partial_rotary_factor"]),
            (["attention_bias": true], ["attention_bias"]),
            (["mlp_bias": true], ["mlp_bias"]),
            (["hidden_act": "gelu"], ["hidden_act", "gelu"]),
            (["attention_dropout": 0.1], ["attention_dropout"]),
            (["quantization_config": ["quant_method": "gptq"]], ["quantization_config"]),
            (["model_type": "mistral"], ["model_type"]),
            (["rope_parameters": ["rope_type": "default", "rope_theta": -5.0]], ["rope_theta"]),
            (["head_dim": 7], ["head_dim", "even"]),
            (["hidden_size": 30], ["hidden_size", "head_dim"]),
        ]
        for (changes, words) in cases { assertRejected(with(changes), naming: words) }
        XCTAssertNoThrow(try load(with(["attention_bias": false, "mlp_bias": false, "attention_dropout": 0.0,
                                         "pretraining_tp": 1, "quantization_config": NSNull()])))
    }

    func testAbsurdSizesAreErrorsNamingTheFieldNotCrashes() {
        let cases: [(String, Any)] = [("vocab_size", 1 << 40), ("num_hidden_layers", 1_000_000_000),
                                      ("hidden_size", 1 << 40), ("intermediate_size", 1 << 62),
                                      ("max_position_embeddings", 1 << 62), ("num_attention_heads", 1 << 40),
                                      ("head_dim", 1 << 50), ("vocab_size", -3)]
        for (field, value) in cases { assertRejected(with([field: value]), naming: [field]) }
    }

    func testMemoryEstimateRefusesModelsLargerThanThisMachine() throws {
        // Every field within its limit, but parameters and gradients would take ~4 TiB.
        assertRejected(with(["vocab_size": 1 << 23, "hidden_size": 1 << 16]), naming: ["vocab_size", "GiB", "memory"])
        var config = try load(base())
        config.maxPositionEmbeddings = 1 << 24
        config.explicitHeadDim = 256
        XCTAssertEqual(config.memoryEstimate()?.rope, 4 << 32)
        XCTAssertThrowsError(try config.checkMemory(limit: 1 << 30)) { error in
            XCTAssertTrue("\(error)".contains("max_position_embeddings") && "\(error)".contains("16.0 GiB"), "\(error)")
        }
        var layers = try load(base())
        layers.numHiddenLayers = 4000
        layers.intermediateSize = 1 << 20
        XCTAssertThrowsError(try layers.checkMemory(limit: 1 << 30)) { XCTAssertTrue("\($0)".contains("num_hidden_layers"), "\($0)") }
        XCTAssertNoThrow(try ModelPreset.small.config.checkMemory(limit: 1 << 30))
    }
}
