import EngineCore
import Foundation
import Model
import SafeTensors
import XCTest
@testable import Stages
import TestSupport

/// The `dtype` param of checkpoint-writing stages, through `import`: bf16 halves the weights and loads back.
final class CheckpointDTypeParamTests: XCTestCase {
    private func source(_ harness: StageHarness) throws -> (URL, LlamaModel) {
        let config = LlamaConfig(hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4,
                                 numKeyValueHeads: 2, maxPositionEmbeddings: 32)
        let model = try LlamaModel(config: config, seed: 4)
        let dir = harness.root.appendingPathComponent("source")
        try Checkpoint.save(model, tokenizer: ByteTokenizer(), to: dir)
        return (dir, model)
    }

    func testImportWritesBF16WhenAskedAndF32ByDefault() throws {
        let harness = try StageHarness()
        let (dir, model) = try source(harness)
        let bf16 = try harness.run(ImportKind(), node: "import_bf16", inputs: ["checkpoint": dir], params: ["dtype": .string("bf16")])
        let f32 = try harness.run(ImportKind(), node: "import_f32", inputs: ["checkpoint": dir])
        let half = try SafeTensorsFile(contentsOf: bf16["model"]!.appendingPathComponent("model.safetensors"))
        let full = try SafeTensorsFile(contentsOf: f32["model"]!.appendingPathComponent("model.safetensors"))
        XCTAssertTrue(half.tensors.values.allSatisfy { $0.dtype == .BF16 })
        XCTAssertTrue(full.tensors.values.allSatisfy { $0.dtype == .F32 })
        XCTAssertEqual(try Checkpoint.loadModel(from: f32["model"]!).parameters.array(), model.parameters.array())
        let (loaded, tokenizer) = try Checkpoint.load(from: bf16["model"]!)
        XCTAssertEqual(tokenizer.vocabSize, 262)
        for (a, b) in zip(loaded.parameters.array(), model.parameters.array()) {
            XCTAssertEqual(a, b, accuracy: abs(b) / 256)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: bf16["model"]!.appendingPathComponent("generation_config.json").path))
    }

    func testPretrainWritesBF16AndGenerationConfig() throws {
        let harness = try StageHarness()
        let corpus = try harness.file("corpus.txt", String(repeating: "the cat sat on the mat\n", count: 20))
        let model: JSONValue = .object(["hidden_size": .int(16), "intermediate_size": .int(24),
                                        "num_hidden_layers": .int(1), "num_attention_heads": .int(2),
                                        "num_key_value_heads": .int(2), "max_position_embeddings": .int(32)])
        let out = try harness.run(PretrainKind(), inputs: ["corpus": corpus],
                                  params: ["model": model, "steps": .int(2), "batch_size": .int(2),
                                           "seq_len": .int(16), "dtype": .string("bf16")])
        let dir = out["model"]!
        let file = try SafeTensorsFile(contentsOf: dir.appendingPathComponent("model.safetensors"))
        XCTAssertTrue(file.tensors.values.allSatisfy { $0.dtype == .BF16 })
        XCTAssertEqual(try Checkpoint.loadConfig(from: dir).torchDtype, "bfloat16")
        let generation = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("generation_config.json"))) as! [String: Any]
        XCTAssertEqual(generation["eos_token_id"] as? Int, Int(ByteTokenizer.specialTokens.eos))
        XCTAssertEqual(try Checkpoint.load(from: dir).tokenizer.vocabSize, 262)
    }

    func testUnknownDTypeIsAParamError() throws {
        let harness = try StageHarness()
        let (dir, _) = try source(harness)
        XCTAssertThrowsError(try harness.run(ImportKind(), inputs: ["checkpoint": dir], params: ["dtype": .string("fp8")])) { error in
            XCTAssertTrue("\(error)".contains("dtype") && "\(error)".contains("bf16"), "\(error)")
        }
    }
}
