import Foundation
@testable import Model
import XCTest

/// Malformed `tokenizer.json` files give errors naming the file and the JSON path.
final class BPETokenizerErrorTests: XCTestCase {
    /// A copy of the llama3 fixture with `change` applied to its tokenizer.json (or `name`).
    private func broken(file name: String = "tokenizer.json", _ change: (inout [String: Any]) -> Void) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        for file in ["tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: BPETokenizerTests.fixtures.appendingPathComponent("llama3/\(file)"),
                                             to: directory.appendingPathComponent(file))
        }
        let url = directory.appendingPathComponent(name)
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        change(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        return directory
    }

    private func editModel(_ change: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
        { json in
            var model = json["model"] as! [String: Any]
            change(&model)
            json["model"] = model
        }
    }

    private func loadError(_ directory: URL, file: StaticString = #filePath, line: UInt = #line) -> TokenizerError? {
        do {
            _ = try TokenizerFiles.load(from: directory)
            XCTFail("loaded a malformed tokenizer", file: file, line: line)
        } catch let error as TokenizerError {
            XCTAssertTrue(error.description.contains(directory.path), "names the file: \(error)", file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
        return nil
    }

    private func jsonPath(_ error: TokenizerError?) -> String? {
        switch error {
        case let .invalidFile(_, path, _)?, let .unsupported(_, path, _)?, let .invalidBPE(_, path, _)?: return path
        default: return nil
        }
    }

    /// Merges that are not two tokens, or whose tokens or result are not in the vocabulary.
    func testBadMerges() throws {
        let spelling = try broken(editModel { $0["merges"] = ["Ġ t x"] })
        XCTAssertEqual(jsonPath(loadError(spelling)), "model.merges[0]")

        let unknownPart = try broken(editModel { model in
            var merges = model["merges"] as! [Any]
            merges[3] = ["Ġ", "nope"]
            model["merges"] = merges
        })
        let partError = loadError(unknownPart)
        XCTAssertEqual(jsonPath(partError), "model.merges[3]")
        XCTAssertTrue(partError?.description.contains("\"nope\"") == true)

        let missingResult = try broken(editModel { model in
            var vocab = model["vocab"] as! [String: Any]
            vocab["Ġt"] = nil
            model["vocab"] = vocab
        })
        let resultError = loadError(missingResult)
        XCTAssertEqual(jsonPath(resultError), "model.merges[0]")
        XCTAssertTrue(resultError?.description.contains("makes \"Ġt\"") == true)
    }

    /// A missing vocabulary or an id that is not an integer.
    func testBadVocabulary() throws {
        let missing = try broken(editModel { $0["vocab"] = nil })
        XCTAssertEqual(jsonPath(loadError(missing)), "model.vocab")
        let notInteger = try broken(editModel { model in
            var vocab = model["vocab"] as! [String: Any]
            vocab["he"] = "12"
            model["vocab"] = vocab
        })
        XCTAssertEqual(jsonPath(loadError(notInteger)), "model.vocab[\"he\"]")
        let huge = try broken(editModel { model in
            var vocab = model["vocab"] as! [String: Any]
            vocab["he"] = 2_000_000_000
            model["vocab"] = vocab
        })
        guard case let .invalidBPE(_, path, problem)? = loadError(huge) else { return XCTFail("not invalidBPE") }
        XCTAssertEqual(path, "model.vocab[\"he\"]")
        XCTAssertTrue(problem.contains("outside"), problem)
    }

    /// Unknown pre-tokenizer, normalizer, decoder, split behaviour and model type are unsupported, by path.
    func testUnsupportedComponents() throws {
        let metaspace = try broken { json in
            var pre = json["pre_tokenizer"] as! [String: Any]
            var list = pre["pretokenizers"] as! [[String: Any]]
            list[1] = ["type": "Metaspace", "replacement": "▁"]
            pre["pretokenizers"] = list
            json["pre_tokenizer"] = pre
        }
        guard case let .unsupported(_, path, problem)? = loadError(metaspace) else { return XCTFail("not unsupported") }
        XCTAssertEqual(path, "pre_tokenizer.pretokenizers[1].type")
        XCTAssertTrue(problem.contains("Metaspace"))

        let behavior = try broken { json in
            var pre = json["pre_tokenizer"] as! [String: Any]
            var list = pre["pretokenizers"] as! [[String: Any]]
            list[0]["behavior"] = "Sideways"
            pre["pretokenizers"] = list
            json["pre_tokenizer"] = pre
        }
        XCTAssertEqual(jsonPath(loadError(behavior)), "pre_tokenizer.pretokenizers[0].behavior")

        let regex = try broken { json in
            json["pre_tokenizer"] = ["type": "Split", "pattern": ["Regex": "(unclosed"], "behavior": "Isolated", "invert": false]
        }
        XCTAssertEqual(jsonPath(loadError(regex)), "pre_tokenizer.pattern.Regex")

        let normalizer = try broken { $0["normalizer"] = ["type": "Precompiled", "precompiled_charsmap": "x"] }
        XCTAssertEqual(jsonPath(loadError(normalizer)), "normalizer.type")
        let decoder = try broken { $0["decoder"] = ["type": "WordPiece"] }
        XCTAssertEqual(jsonPath(loadError(decoder)), "decoder.type")
        let unigram = try broken(editModel { $0["type"] = "Unigram" })
        XCTAssertEqual(jsonPath(loadError(unigram)), "model.type")
    }

    /// A config naming a token the tokenizer lacks, and an added token with a non-integer id.
    func testBadSpecialTokens() throws {
        let config = try broken(file: "tokenizer_config.json") { $0["eos_token"] = "</s>" }
        guard case let .invalidBPE(file, path, _)? = loadError(config) else { return XCTFail("not invalidBPE") }
        XCTAssertTrue(file.hasSuffix("tokenizer_config.json"))
        XCTAssertEqual(path, "eos_token")

        let added = try broken { json in
            var tokens = json["added_tokens"] as! [[String: Any]]
            tokens[1]["id"] = "1"
            json["added_tokens"] = tokens
        }
        XCTAssertEqual(jsonPath(loadError(added)), "added_tokens[1].id")
    }

    /// GGUF values: an unknown pre name and a token-type count that disagrees are reported by key.
    func testBadGGUFValues() {
        XCTAssertThrowsError(try BPETokenizer(gguf: "gpt2", pre: "mystery", tokens: ["a"], merges: [], tokenTypes: nil,
                                              bos: nil, eos: 0, pad: nil, file: "m.gguf")) { error in
            XCTAssertTrue("\(error)".contains("tokenizer.ggml.pre"), "\(error)")
            XCTAssertTrue("\(error)".contains("smollm"), "\(error)")
        }
        XCTAssertThrowsError(try BPETokenizer(gguf: "llama", pre: nil, tokens: ["a"], merges: [], tokenTypes: nil,
                                              bos: nil, eos: 0, pad: nil, file: "m.gguf"))
        XCTAssertThrowsError(try BPETokenizer(gguf: "gpt2", pre: "gpt2", tokens: ["a", "b"], merges: [], tokenTypes: [1],
                                              bos: nil, eos: 0, pad: nil, file: "m.gguf")) { error in
            XCTAssertTrue("\(error)".contains("tokenizer.ggml.token_type"), "\(error)")
        }
        XCTAssertThrowsError(try BPETokenizer(gguf: "gpt2", pre: "gpt2", tokens: ["a", "b"], merges: ["a b"], tokenTypes: nil,
                                              bos: nil, eos: 0, pad: nil, file: "m.gguf")) { error in
            XCTAssertTrue("\(error)".contains("tokenizer.ggml.merges[0]"), "\(error)")
        }
        XCTAssertThrowsError(try BPETokenizer(gguf: "gpt2", pre: "gpt2", tokens: ["a"], merges: [], tokenTypes: nil,
                                              bos: nil, eos: 5, pad: nil, file: "m.gguf"))
    }
}
