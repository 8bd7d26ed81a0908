import Foundation
@testable import Model
import XCTest

/// Saving and loading tokenizer files, and the errors for bad files.
final class TokenizerFilesTests: XCTestCase {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func saved() throws -> URL {
        let directory = try temporaryDirectory()
        try ByteTokenizer().save(to: directory)
        return directory
    }

    /// Rewrites `tokenizer.json` (or another file) through a JSON-object edit.
    private func edit(_ directory: URL, _ name: String = TokenizerFiles.tokenizerFileName,
                      _ change: (inout [String: Any]) -> Void) throws {
        let url = directory.appendingPathComponent(name)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    private func loadError(_ directory: URL, file: StaticString = #filePath, line: UInt = #line) -> TokenizerError? {
        do {
            _ = try TokenizerFiles.load(from: directory)
            XCTFail("loaded a bad tokenizer", file: file, line: line)
        } catch let error as TokenizerError {
            return error
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
        return nil
    }

    /// Saved files load back to the same tokenizer and are byte-identical each time.
    func testSaveLoadRoundTripAndDeterminism() throws {
        let directory = try saved()
        let loaded = try TokenizerFiles.load(from: directory)
        XCTAssertTrue(loaded is ByteTokenizer)
        XCTAssertEqual(loaded.vocabSize, 262)
        XCTAssertEqual(loaded.special, ByteTokenizer().special)
        XCTAssertEqual(loaded.decode(loaded.encode("round trip ✓")), "round trip ✓")

        let other = try saved()
        for name in [TokenizerFiles.tokenizerFileName, TokenizerFiles.configFileName] {
            XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent(name)),
                           try Data(contentsOf: other.appendingPathComponent(name)), name)
        }
        try loaded.save(to: other)
        XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent(TokenizerFiles.tokenizerFileName)),
                       try Data(contentsOf: other.appendingPathComponent(TokenizerFiles.tokenizerFileName)))
    }

    /// tokenizer.json is a byte-level BPE with our specials; the config names them.
    func testSavedFilesFollowHuggingFaceLayout() throws {
        let directory = try saved()
        let json = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("tokenizer.json"))) as? [String: Any])
        let model = try XCTUnwrap(json["model"] as? [String: Any])
        XCTAssertEqual(model["type"] as? String, "BPE")
        let vocab = try XCTUnwrap(model["vocab"] as? [String: Int])
        XCTAssertEqual(vocab.count, 256)
        XCTAssertEqual(vocab["Ġ"], 32)
        XCTAssertEqual(vocab["A"], 65)
        XCTAssertEqual(vocab["Ā"], 0)
        XCTAssertEqual((model["merges"] as? [Any])?.count, 0)
        XCTAssertTrue(json["truncation"] is NSNull)
        let added = try XCTUnwrap(json["added_tokens"] as? [[String: Any]])
        XCTAssertEqual(added.map { $0["content"] as? String }, ["<|bos|>", "<|eos|>", "<|pad|>",
                                                                "<|system|>", "<|user|>", "<|assistant|>"])
        XCTAssertEqual(added.map { $0["id"] as? Int }, Array(256...261))
        let config = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("tokenizer_config.json"))) as? [String: Any])
        XCTAssertEqual(config["eos_token"] as? String, "<|eos|>")
        XCTAssertEqual(config["tokenizer_class"] as? String, "PreTrainedTokenizerFast")
        XCTAssertNotNil(config["chat_template"] as? String)
    }

    /// The GPT-2 byte alphabet maps 256 bytes to 256 distinct characters.
    func testByteLevelAlphabetIsABijection() {
        let alphabet = HFTokenizerFile.byteLevelAlphabet
        XCTAssertEqual(alphabet.count, 256)
        XCTAssertEqual(Set(alphabet).count, 256)
        XCTAssertTrue(alphabet.allSatisfy { $0.unicodeScalars.count == 1 })
        XCTAssertEqual(alphabet[0x0A], "Ċ")
        XCTAssertEqual(alphabet[0xAD], "Ń")
    }

    /// Files as transformers 5 re-saves them (extra keys, renamed lists, a post-processor) still load.
    func testFilesResavedByTransformersLoad() throws {
        let directory = try saved()
        try edit(directory, TokenizerFiles.configFileName) { json in
            json["additional_special_tokens"] = nil
            json["chat_template"] = nil
            json["tokenizer_class"] = "TokenizersBackend"
            json["extra_special_tokens"] = ["<|system|>", "<|user|>", "<|assistant|>"]
            json["model_max_length"] = 1e30
        }
        try edit(directory) { json in
            json["post_processor"] = ["type": "TemplateProcessing", "special_tokens": [String: Any]()]
            var model = json["model"] as! [String: Any]
            model["ignore_merges"] = false
            json["model"] = model
        }
        let loaded = try TokenizerFiles.load(from: directory)
        XCTAssertEqual(loaded.special, ByteTokenizer().special)
        XCTAssertEqual(loaded.encode("ok"), [111, 107])
    }

    /// Missing files are named.
    func testMissingFiles() throws {
        let empty = try temporaryDirectory()
        XCTAssertEqual(loadError(empty), .missingFile(file: empty.appendingPathComponent("tokenizer.json").path))
        let directory = try saved()
        try FileManager.default.removeItem(at: directory.appendingPathComponent("tokenizer_config.json"))
        XCTAssertEqual(loadError(directory), .missingFile(file: directory.appendingPathComponent("tokenizer_config.json").path))
    }

    /// Bad JSON and missing or ill-typed keys give the file and JSON path.
    func testNotJSONAndMissingKeys() throws {
        let directory = try saved()
        let url = directory.appendingPathComponent("tokenizer.json")
        try Data("{ not json".utf8).write(to: url)
        guard case let .invalidFile(file, _, problem)? = loadError(directory) else { return XCTFail("not invalidFile") }
        XCTAssertEqual(file, url.path)
        XCTAssertTrue(problem.contains("JSON"), problem)

        let other = try saved()
        try edit(other) { json in
            var model = json["model"] as! [String: Any]
            model["vocab"] = nil
            json["model"] = model
        }
        XCTAssertEqual(loadError(other), .invalidFile(file: other.appendingPathComponent("tokenizer.json").path,
                                                      path: "model.vocab", problem: "required key is missing"))

        let third = try saved()
        try edit(third) { json in
            var added = json["added_tokens"] as! [[String: Any]]
            added[2]["id"] = "258"
            json["added_tokens"] = added
        }
        guard case let .invalidFile(_, path, _)? = loadError(third) else { return XCTFail("not invalidFile") }
        XCTAssertEqual(path, "added_tokens[2].id")
    }

    /// Merges make a BPE (here an inconsistent one); other model types are unsupported.
    func testUnsupportedTokenizers() throws {
        let merges = try saved()
        try edit(merges) { json in
            var model = json["model"] as! [String: Any]
            model["merges"] = [["Ġ", "t"], ["h", "e"]]
            json["model"] = model
        }
        guard case let .invalidBPE(_, path, problem)? = loadError(merges) else { return XCTFail("not invalidBPE") }
        XCTAssertEqual(path, "model.merges[0]", "a file with merges loads as BPE, whose merges must make vocabulary tokens")
        XCTAssertTrue(problem.contains("makes \"Ġt\""), problem)

        let unigram = try saved()
        try edit(unigram) { json in
            var model = json["model"] as! [String: Any]
            model["type"] = "Unigram"
            json["model"] = model
        }
        guard case let .unsupported(_, path, _)? = loadError(unigram) else { return XCTFail("not unsupported") }
        XCTAssertEqual(path, "model.type")
    }

    /// A changed vocabulary entry, special id or config token is a mismatch naming it.
    func testVocabularyAndSpecialMismatches() throws {
        let vocab = try saved()
        try edit(vocab) { json in
            var model = json["model"] as! [String: Any]
            var entries = model["vocab"] as! [String: Int]
            entries["A"] = 66
            model["vocab"] = entries
            json["model"] = model
        }
        XCTAssertEqual(loadError(vocab), .mismatch(file: vocab.appendingPathComponent("tokenizer.json").path,
                                                   path: "model.vocab[\"A\"]", expected: "id 65", found: "id 66"))

        let special = try saved()
        try edit(special) { json in
            var added = json["added_tokens"] as! [[String: Any]]
            added[1]["id"] = 300
            json["added_tokens"] = added
        }
        XCTAssertEqual(loadError(special), .mismatch(file: special.appendingPathComponent("tokenizer.json").path,
                                                     path: "added_tokens[1].id", expected: "<|eos|> = 257", found: "300"))

        let config = try saved()
        try edit(config, TokenizerFiles.configFileName) { json in json["eos_token"] = "</s>" }
        XCTAssertEqual(loadError(config), .mismatch(file: config.appendingPathComponent("tokenizer_config.json").path,
                                                    path: "eos_token", expected: "\"<|eos|>\"", found: "\"</s>\""))
        XCTAssertTrue(loadError(config)!.description.contains("Tokenizer.save(to:)"))
    }

    /// Both merge spellings of tokenizer.json decode.
    func testMergeSpellings() throws {
        let merges = try JSONDecoder().decode([HFMerge].self, from: Data(#"["a b", ["c", "d"]]"#.utf8))
        XCTAssertEqual(merges.map(\.left), ["a", "c"])
        XCTAssertEqual(merges.map(\.right), ["b", "d"])
        XCTAssertThrowsError(try JSONDecoder().decode([HFMerge].self, from: Data(#"["abc"]"#.utf8)))
    }
}
