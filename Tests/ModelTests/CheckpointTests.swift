import XCTest
import SafeTensors
@testable import Model

/// Hugging Face layout save/load: bit-exact round trip, determinism and clear errors.
final class CheckpointTests: XCTestCase {
    private func tempDir() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-ckpt-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func byteConfig() -> LlamaConfig {
        LlamaConfig(hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4,
                    numKeyValueHeads: 2, maxPositionEmbeddings: 64)
    }

    func testRoundTripIsBitExactForBothHeads() throws {
        for config in [byteConfig(), byteConfig().withScalarHead(), { var c = byteConfig(); c.tieWordEmbeddings = false; return c }()] {
            let model = try LlamaModel(config: config, seed: 21)
            let dir = tempDir()
            try Checkpoint.save(model, tokenizer: ByteTokenizer(), to: dir)
            let (loaded, tokenizer) = try Checkpoint.load(from: dir)
            XCTAssertEqual(loaded.config, config)
            XCTAssertEqual(tokenizer.vocabSize, 262)
            XCTAssertEqual(loaded.parameters.array(), model.parameters.array())
            let names = try SafeTensorsFile(contentsOf: dir.appendingPathComponent("model.safetensors")).tensors.keys
            XCTAssertTrue(names.contains("model.layers.1.self_attn.k_proj.weight"))
            XCTAssertEqual(names.contains("lm_head.weight"), !config.tieWordEmbeddings && !config.hasScalarHead)
            XCTAssertEqual(names.contains("score.weight"), config.hasScalarHead)
        }
    }

    func testSameSeedGivesIdenticalBytesAndTrainingIsDeterministic() throws {
        func trainAndSave(_ dir: URL) throws -> Data {
            let model = try LlamaModel(config: byteConfig(), seed: 5)
            let opt = AdamW(model: model)
            let batch = try Batch(sequences: [[256, 72, 105, 257], [256, 33, 257]], padToken: 258)
            let (t, w) = try batch.nextTokenTargets()
            for _ in 0..<3 {
                let out = try model.forward(batch)
                try model.backward(dLogits: try LogitMath.maskedCrossEntropy(logits: out.logits, targets: t, weights: w,
                                                                            vocabSize: 262).dLogits)
                try opt.update(model, learningRate: 1e-2)
            }
            try Checkpoint.save(model, tokenizer: ByteTokenizer(), to: dir)
            return try Data(contentsOf: dir.appendingPathComponent("model.safetensors"))
        }
        let a = try trainAndSave(tempDir()), b = try trainAndSave(tempDir())
        XCTAssertEqual(a, b)
        let other = try LlamaModel(config: byteConfig(), seed: 6)
        XCTAssertNotEqual(other.parameters.array(), try LlamaModel(config: byteConfig(), seed: 5).parameters.array())
    }

    func testWrongShapeForConfigIsAClearError() throws {
        let dir = tempDir()
        try Checkpoint.save(try LlamaModel(config: byteConfig(), seed: 1), tokenizer: ByteTokenizer(), to: dir)
        var wider = byteConfig()
        wider.intermediateSize = 32
        try Checkpoint.saveConfig(wider, to: dir)
        XCTAssertThrowsError(try Checkpoint.loadModel(from: dir)) { error in
            guard case let ModelError.badCheckpoint(path, reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("model.safetensors"))
            XCTAssertTrue(reason.contains("mlp.gate_proj.weight") && reason.contains("[32, 16]"), reason)
        }
    }

    func testMissingAndUnexpectedTensorsAndBadConfigAreClearErrors() throws {
        let dir = tempDir()
        try Checkpoint.save(try LlamaModel(config: byteConfig(), seed: 1), tokenizer: ByteTokenizer(), to: dir)
        var untied = byteConfig()
        untied.tieWordEmbeddings = false
        try Checkpoint.saveConfig(untied, to: dir)
        XCTAssertThrowsError(try Checkpoint.loadModel(from: dir)) { error in
            XCTAssertTrue("\(error)".contains("missing tensor 'lm_head.weight'"), "\(error)")
        }
        try Checkpoint.saveConfig(byteConfig().withScalarHead(), to: dir)
        XCTAssertThrowsError(try Checkpoint.loadModel(from: dir)) { error in
            XCTAssertTrue("\(error)".contains("missing tensor 'score.weight'"), "\(error)")
        }
        try Data(#"{"hidden_size": 16}"#.utf8).write(to: dir.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try Checkpoint.loadModel(from: dir)) { error in
            XCTAssertTrue("\(error)".contains("config.json") && "\(error)".contains("missing field"), "\(error)")
        }
        var bad = byteConfig()
        bad.numKeyValueHeads = 3
        try Checkpoint.saveConfig(bad, to: dir)
        XCTAssertThrowsError(try Checkpoint.loadModel(from: dir)) { error in
            XCTAssertTrue("\(error)".contains("num_key_value_heads"), "\(error)")
        }
    }

    func testTruncatedWeightsFileIsASafeTensorsError() throws {
        let dir = tempDir()
        try Checkpoint.save(try LlamaModel(config: byteConfig(), seed: 1), tokenizer: ByteTokenizer(), to: dir)
        let url = dir.appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: url)
        try data.prefix(data.count - 100).write(to: url)
        XCTAssertThrowsError(try Checkpoint.loadModel(from: dir)) { XCTAssertTrue($0 is SafeTensorsError, "\($0)") }
    }

    func testConfigJSONUsesHuggingFaceFieldNames() throws {
        let dir = tempDir()
        try Checkpoint.saveConfig(ModelPreset.small.config, to: dir)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as! [String: Any]
        XCTAssertEqual(json["architectures"] as? [String], ["LlamaForCausalLM"])
        XCTAssertEqual(json["model_type"] as? String, "llama")
        XCTAssertEqual(json["hidden_size"] as? Int, 384)
        XCTAssertEqual(json["num_key_value_heads"] as? Int, 2)
        XCTAssertEqual(json["intermediate_size"] as? Int, 1024)
        XCTAssertEqual(json["vocab_size"] as? Int, 262)
        XCTAssertEqual(json["tie_word_embeddings"] as? Bool, true)
        XCTAssertEqual(json["eos_token_id"] as? Int, 257)
        XCTAssertEqual(try Checkpoint.loadConfig(from: dir), ModelPreset.small.config)
    }
}
