import Foundation
@testable import Model
import XCTest

/// Byte-level BPE against ids that Hugging Face `tokenizers` produced for the committed fixtures
/// (`Fixtures/BPE/make_fixtures.py`), in both merge spellings, from tokenizer.json and from GGUF values.
final class BPETokenizerTests: XCTestCase {
    /// One fixture text with the reference library's ids and skip-special decoding.
    struct Case: Decodable {
        var text: String
        var ids: [Int32]
        var decoded: String
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/BPE")

    private func cases(_ name: String) throws -> [Case] {
        let all = try JSONDecoder().decode([String: [Case]].self,
                                           from: Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json")))
        return try XCTUnwrap(all[name])
    }

    private func load(_ name: String) throws -> BPETokenizer {
        try XCTUnwrap(TokenizerFiles.load(from: Self.fixtures.appendingPathComponent(name)) as? BPETokenizer)
    }

    private func assertMatches(_ tokenizer: BPETokenizer, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try cases(name)
        XCTAssertGreaterThan(expected.count, 30)
        for item in expected {
            XCTAssertEqual(tokenizer.encode(item.text, allowSpecial: true), item.ids, "\(name): \(item.text.debugDescription)",
                           file: file, line: line)
            XCTAssertEqual(tokenizer.decode(item.ids), item.decoded, "\(name) decode: \(item.text.debugDescription)",
                           file: file, line: line)
            XCTAssertEqual(tokenizer.decode(item.ids, showSpecial: true), item.text, "round trip", file: file, line: line)
        }
    }

    /// Digits + GPT-2 regex, merges spelled "a b": ids equal the reference's.
    func testGPT2DigitsFixtureMatchesTokenizers() throws {
        let tokenizer = try load("gpt2-digits")
        XCTAssertEqual(tokenizer.vocabSize, 528)
        try assertMatches(tokenizer, "gpt2-digits")
    }

    /// Llama 3 split regex, merges spelled ["a", "b"], ignore_merges, added tokens: ids equal the reference's.
    func testLlama3FixtureMatchesTokenizers() throws {
        let tokenizer = try load("llama3")
        try assertMatches(tokenizer, "llama3")
        XCTAssertEqual(tokenizer.special, SpecialTokens(bos: 1, eos: 2, pad: 0))
        XCTAssertFalse(tokenizer.special.hasRoleMarkers)
    }

    /// Without allowSpecial, special tokens spelled in text stay text; non-special added tokens still split out.
    func testSpecialTokensOnlyWithAllowSpecial() throws {
        let tokenizer = try load("llama3")
        let text = "a<|im_end|>b<tool>"
        let allowed = tokenizer.encode(text, allowSpecial: true)
        let plain = tokenizer.encode(text)
        XCTAssertTrue(allowed.contains(2))
        XCTAssertFalse(plain.contains(2))
        XCTAssertEqual(plain, tokenizer.encode(text, allowSpecial: false))
        XCTAssertEqual(allowed.last, 553, "<tool> is a non-special added token")
        XCTAssertEqual(plain.last, 553)
        XCTAssertEqual(tokenizer.decode(plain), text)
        XCTAssertEqual(tokenizer.decode(allowed), "ab<tool>", "special tokens are hidden unless shown")
    }

    /// Offsets are the UTF-8 byte ranges whose bytes each token stands for, end to end.
    func testOffsetsCoverTheText() throws {
        let tokenizer = try load("llama3")
        let text = "Héllo <|im_start|>wörld 🦙  123\n\tx<tool>"
        let encoded = tokenizer.encodeWithOffsets(text, allowSpecial: true)
        XCTAssertEqual(encoded.ids, tokenizer.encode(text, allowSpecial: true))
        XCTAssertEqual(encoded.offsets.count, encoded.ids.count)
        let bytes = Array(text.utf8)
        var cursor = 0
        for (id, range) in zip(encoded.ids, encoded.offsets) {
            XCTAssertEqual(range.lowerBound, cursor)
            XCTAssertEqual(BPEByteLevel.decodedBytes(of: try XCTUnwrap(tokenizer.tokenString(id))), Array(bytes[range]))
            cursor = range.upperBound
        }
        XCTAssertEqual(cursor, bytes.count)
        XCTAssertTrue(encoded.offsets.contains { String(decoding: bytes[$0], as: UTF8.self) == "<|im_start|>" })
    }

    /// The same tokenizer built from GGUF metadata values (`smollm`, `llama-bpe`) gives the same ids,
    /// and saving it writes a tokenizer.json that loads back to the same ids.
    func testGGUFValuesBuildTheSameTokenizer() throws {
        for (name, pre) in [("gpt2-digits", "smollm"), ("llama3", "llama-bpe")] {
            let json = try XCTUnwrap(JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.fixtures.appendingPathComponent("\(name)/tokenizer.json"))) as? [String: Any])
            let model = try XCTUnwrap(json["model"] as? [String: Any])
            let vocab = try XCTUnwrap(model["vocab"] as? [String: Int])
            var tokens = [String](repeating: "", count: vocab.count)
            for (text, id) in vocab { tokens[id] = text }
            let merges = try XCTUnwrap(model["merges"] as? [Any]).map { merge in
                (merge as? String) ?? ((merge as? [String]) ?? []).joined(separator: " ")
            }
            let added = try XCTUnwrap(json["added_tokens"] as? [[String: Any]])
            var types = [Int](repeating: 1, count: tokens.count)
            for token in added {
                let id = try XCTUnwrap(token["id"] as? Int)
                if id >= tokens.count { tokens.append(try XCTUnwrap(token["content"] as? String)); types.append(1) }
                types[id] = (token["special"] as? Bool) == true ? 3 : 4
            }
            let tokenizer = try BPETokenizer(gguf: "gpt2", pre: pre, tokens: tokens, merges: merges, tokenTypes: types,
                                             bos: 0, eos: 0, pad: nil, file: "test.gguf")
            try assertMatches(tokenizer, name)

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-\(UUID().uuidString)")
            addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
            try tokenizer.save(to: directory)
            try assertMatches(try XCTUnwrap(TokenizerFiles.load(from: directory) as? BPETokenizer), name)
        }
    }

    /// A tokenizer read from files saves those files unchanged.
    func testSaveWritesTheOriginalFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        try load("llama3").save(to: directory)
        for name in ["tokenizer.json", "tokenizer_config.json"] {
            XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent(name)),
                           try Data(contentsOf: Self.fixtures.appendingPathComponent("llama3/\(name)")), name)
        }
    }

    /// The hand-written scanners split like the regexes on the tricky cases.
    func testScannerSplits() {
        func split(_ scanner: BPEScanner, _ text: String) -> [String] {
            let bytes = Array(text.utf8)
            return scanner.matches(in: bytes, 0..<bytes.count).map { String(decoding: bytes[$0], as: UTF8.self) }
        }
        XCTAssertEqual(split(.gpt2, "Hello  world's 123!!\n\n x"), ["Hello", " ", " world", "'s", " 123", "!!", "\n\n", " x"])
        XCTAssertEqual(split(.llama3(maxDigits: 3), "I'LL 12345 (x)\n\n  \n y"), ["I", "'LL", " ", "123", "45", " (", "x", ")\n\n", "  \n", " y"])
        XCTAssertEqual(split(.llama3(maxDigits: 1), "ab12"), ["ab", "1", "2"])
        XCTAssertEqual(split(.gpt2, ""), [])
    }

    /// The split behaviours group matches as `tokenizers` does.
    func testSplitBehaviors() {
        let text = Array("the-final--countdown".utf8)
        let dashes = BPESplitPattern.literal(Array("-".utf8)).matches(in: text, 0..<text.count)
        func pieces(_ behavior: BPESplitBehavior, invert: Bool = false) -> [String] {
            BPEPreTokenizer.apply(behavior, invert: invert, matches: dashes, to: 0..<text.count)
                .map { String(decoding: text[$0], as: UTF8.self) }
        }
        XCTAssertEqual(pieces(.removed), ["the", "final", "countdown"])
        XCTAssertEqual(pieces(.isolated), ["the", "-", "final", "-", "-", "countdown"])
        XCTAssertEqual(pieces(.mergedWithPrevious), ["the-", "final-", "-", "countdown"])
        XCTAssertEqual(pieces(.mergedWithNext), ["the", "-final", "-", "-countdown"])
        XCTAssertEqual(pieces(.contiguous), ["the", "-", "final", "--", "countdown"])
        XCTAssertEqual(pieces(.removed, invert: true), ["-", "-", "-"])
    }

    /// Role markers are optional; the chat format spells missing ones as text instead of trapping.
    func testChatFormatWithoutRoleMarkers() throws {
        let tokenizer = try load("llama3")
        let encoding = ChatFormat(tokenizer: tokenizer).encode(prompt: "hi", response: "yo")
        XCTAssertEqual(encoding.tokens.first, tokenizer.special.bos)
        XCTAssertEqual(encoding.tokens.last, tokenizer.special.eos)
        XCTAssertEqual(tokenizer.decode(Array(encoding.tokens.prefix(encoding.promptLength))), "<|user|>hi<|assistant|>")
    }
}

/// The heap merge loop for long words agrees with the rescanning loop, and long inputs match the reference.
final class BPEMergeLoopTests: XCTestCase {
    /// Random words over the fixture's alphabet merge the same both ways.
    func testHeapAndScanningAgree() throws {
        let tokenizer = try XCTUnwrap(TokenizerFiles.load(from: BPETokenizerTests.fixtures.appendingPathComponent("llama3"))
                                      as? BPETokenizer)
        var generator = Xoshiro256(seed: 19)
        let alphabet = Array("the ohrsin tealhe".utf8) + [0xC3, 0xA9]
        for length in [2, 3, 10, 65, 200, 1000] {
            for _ in 0..<20 {
                let word = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
                let symbols = word.map { tokenizer.model.byteIds[Int($0)] }
                XCTAssertEqual(tokenizer.model.mergeWithHeap(symbols), tokenizer.model.mergeByScanning(symbols),
                               String(decoding: word, as: UTF8.self))
            }
        }
    }

    /// A long run of letters (one pre-token of 300 bytes) matches the reference ids.
    func testLongWordMatchesReference() throws {
        let tokenizer = try XCTUnwrap(TokenizerFiles.load(from: BPETokenizerTests.fixtures.appendingPathComponent("llama3"))
                                      as? BPETokenizer)
        let expected = try JSONDecoder().decode([String: [BPETokenizerTests.Case]].self, from: Data(contentsOf:
            BPETokenizerTests.fixtures.appendingPathComponent("expected.json")))["llama3"]!.first { $0.text.count == 300 }
        let item = try XCTUnwrap(expected)
        XCTAssertEqual(tokenizer.encode(item.text, allowSpecial: true), item.ids)
    }
}

/// The tokenizer of a real GGUF file read through the GGUF reader (the GGUF tests' tiny SmolLM-style file).
final class BPEGGUFFileTests: XCTestCase {
    /// Ids equal those of `tokenizers` with the same vocabulary, merges, control tokens and the smollm pre-tokenizer.
    func testTinyGGUFTokenizerMatchesReference() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GGUFTests/Fixtures/tiny_llama.gguf")
        let tokenizer = try BPETokenizer(ggufAt: url)
        XCTAssertEqual(tokenizer.vocabSize, 265)
        XCTAssertEqual(tokenizer.special, SpecialTokens(bos: 1, eos: 2, pad: 2))
        let text = "the theater in 2024 <|im_start|>user\nhi<|im_end|>"
        let expected: [Int32] = [119, 260, 261, 100, 119, 264, 35, 262, 35, 53, 51, 53, 55, 35, 1, 120, 118, 264, 13, 107, 108, 2]
        XCTAssertEqual(tokenizer.encode(text, allowSpecial: true), expected)
        XCTAssertEqual(tokenizer.encode("Ġ  a er", allowSpecial: true), [199, 163, 35, 263, 35, 264])
        XCTAssertEqual(tokenizer.decode(expected, showSpecial: true), text)
    }
}
