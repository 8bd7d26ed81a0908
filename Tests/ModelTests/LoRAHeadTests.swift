import Foundation
import SafeTensors
import XCTest
@testable import Model

/// A reward-model adapter saved as PEFT saves a SEQ_CLS task (the score head in `modules_to_save`), and a causal
/// checkpoint's trunk loaded under a scalar head.
final class LoRAHeadTests: XCTestCase {
    private func temporaryDirectory(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    }

    func testSequenceClassificationAdapterSavesAndLoadsTheScoreHeadWithPEFTNames() throws {
        let model = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 2)
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: 4, targets: [.q, .up]), model: model.config, seed: 3)
        adapter.randomizeB(std: 0.3, seed: 4)
        try model.attach(adapter)
        let dir = temporaryDirectory("seqcls")
        defer { try? FileManager.default.removeItem(at: dir) }
        try adapter.save(to: dir, baseModel: "tiny", head: model)

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("adapter_config.json"))) as! [String: Any]
        XCTAssertEqual(json["task_type"] as? String, "SEQ_CLS")
        XCTAssertEqual(json["modules_to_save"] as? [String], ["classifier", "score"])
        let file = try SafeTensorsFile(contentsOf: dir.appendingPathComponent("adapter_model.safetensors"))
        XCTAssertEqual(file.tensors["base_model.model.score.weight"]?.shape, [1, TestModels.config.hiddenSize])
        XCTAssertEqual(file.names.count, 2 * 2 * 2 + 1)
        XCTAssertTrue(try LoRAAdapter.savesScalarHead(dir))

        let other = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 2)
        try other.setParameter(named: "score.weight", to: Array(repeating: 0, count: TestModels.config.hiddenSize))
        try other.attach(try LoRAAdapter.load(from: dir, model: other.config))
        try LoRAAdapter.loadHead(from: dir, into: other)
        XCTAssertEqual(try other.parameter(named: "score.weight"), try model.parameter(named: "score.weight"))
        let batch = try TestModels.batch()
        XCTAssertEqual(try other.forward(batch).values, try model.forward(batch).values)
    }

    func testCausalAdapterSavesNoHeadAndOtherModulesToSaveAreRefused() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 1)
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: 4), model: model.config, seed: 3)
        let dir = temporaryDirectory("causal")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try adapter.save(to: dir, baseModel: "tiny", head: model)) { error in
            XCTAssertTrue("\(error)".contains("scalar head"), "\(error)")
        }
        try adapter.save(to: dir, baseModel: "tiny")
        XCTAssertFalse(try LoRAAdapter.savesScalarHead(dir))
        let configURL = dir.appendingPathComponent("adapter_config.json")
        let text = try String(contentsOf: configURL, encoding: .utf8)
        XCTAssertTrue(text.contains("\"modules_to_save\" : null"), text)
        try text.replacingOccurrences(of: "\"modules_to_save\" : null", with: "\"modules_to_save\" : [\"lm_head\"]")
            .write(to: configURL, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LoRAAdapter.load(from: dir, model: model.config)) { error in
            XCTAssertTrue("\(error)".contains("modules_to_save [\"lm_head\"] is not supported"), "\(error)")
            XCTAssertTrue("\(error)".contains("adapter_config.json"), "\(error)")
        }
        try text.replacingOccurrences(of: "\"modules_to_save\" : null", with: "\"modules_to_save\" : [\"classifier\", \"score\"]")
            .write(to: configURL, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LoRAAdapter.load(from: dir, model: model.config), "a head needs task_type SEQ_CLS")
    }

    func testCausalCheckpointLoadsAsAScalarHeadTrunk() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 5)
        let dir = temporaryDirectory("trunk")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Checkpoint.save(model, tokenizer: ByteTokenizer(), to: dir)
        let trunk = try Checkpoint.loadModel(from: dir, scalarHead: true)
        XCTAssertTrue(trunk.config.hasScalarHead)
        XCTAssertEqual(try trunk.parameter(named: "score.weight"), Array(repeating: 0, count: TestModels.config.hiddenSize))
        for s in trunk.layout.slices where s.name != "score.weight" {
            XCTAssertEqual(try trunk.parameter(named: s.name), try model.parameter(named: s.name), s.name)
        }
        XCTAssertFalse(try Checkpoint.loadModel(from: dir).config.hasScalarHead, "the plain load keeps the LM head")
    }
}
