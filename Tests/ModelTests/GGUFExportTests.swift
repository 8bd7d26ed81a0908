import Foundation
import GGUF
@testable import Model
import XCTest

/// Converting a GGUF file to an HF-layout directory: weights, config and tokenizer files from metadata.
final class GGUFExportTests: XCTestCase {
    private let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("GGUFTests/Fixtures/tiny_llama.gguf")
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-export-" + UUID().uuidString)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], name)
    }

    func testExportWritesLoadableWeightsAndConfig() throws {
        let file = try GGUFFile(contentsOf: fixture)
        let exported = try GGUFCheckpoint.exportHF(file, to: directory)
        let reloaded = try Checkpoint.loadModel(from: directory)
        XCTAssertEqual(reloaded.config, exported.config)
        XCTAssertEqual(reloaded.parameters.array(), exported.parameters.array())
        let generation = try json("generation_config.json")
        XCTAssertEqual(generation["eos_token_id"] as? Int, 2)
        XCTAssertEqual(generation["bos_token_id"] as? Int, 1)
    }

    func testTokenizerFilesComeFromMetadata() throws {
        _ = try GGUFCheckpoint.exportHF(try GGUFFile(contentsOf: fixture), to: directory)
        let tokenizer = try json("tokenizer.json")
        let model = try XCTUnwrap(tokenizer["model"] as? [String: Any])
        let vocab = try XCTUnwrap(model["vocab"] as? [String: Int])
        XCTAssertEqual(vocab.count, 265)
        XCTAssertEqual(vocab["<|im_end|>"], 2)
        XCTAssertEqual(vocab["Ġthe"], 261)
        XCTAssertEqual(vocab["Ġ"], 3 + 32, "byte 0x20 is spelled Ġ and follows the 3 specials")
        let merges = try XCTUnwrap(model["merges"] as? [[String]])
        XCTAssertEqual(merges.first, ["Ġ", "t"])
        XCTAssertEqual(merges.count, 6)
        let added = try XCTUnwrap(tokenizer["added_tokens"] as? [[String: Any]])
        XCTAssertEqual(added.compactMap { $0["content"] as? String }, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
        XCTAssertTrue(added.allSatisfy { $0["special"] as? Bool == true })
        let pre = try XCTUnwrap(tokenizer["pre_tokenizer"] as? [String: Any])
        let parts = try XCTUnwrap(pre["pretokenizers"] as? [[String: Any]])
        XCTAssertEqual(parts.compactMap { $0["type"] as? String }, ["Digits", "ByteLevel"], "smollm: digits alone, then GPT-2")
        XCTAssertEqual(parts[0]["individual_digits"] as? Bool, true)
        let config = try json("tokenizer_config.json")
        XCTAssertEqual(config["eos_token"] as? String, "<|im_end|>")
        XCTAssertEqual(config["bos_token"] as? String, "<|im_start|>")
        XCTAssertEqual(config["add_bos_token"] as? Bool, false)
        XCTAssertTrue((config["chat_template"] as? String)?.contains("add_generation_prompt") == true)
    }
}
