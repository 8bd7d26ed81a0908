import ChatTemplate
import Foundation
import GGUF
@testable import Model
import XCTest

/// A checkpoint's chat template loads from `chat_template.jinja` or `tokenizer_config.json` as transformers does.
final class ChatTemplateFilesTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("chat-template-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    private let messages: [Value] = [["role": "user", "content": "Hi"], ["role": "assistant", "content": "Hello"]]

    func testConfigStringTemplateWithAddedTokenSpecials() throws {
        try write("tokenizer_config.json", """
        {"bos_token": {"__type": "AddedToken", "content": "<s>"}, "eos_token": "</s>", "pad_token": null,
         "chat_template": "{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}"}
        """)
        let loaded = try XCTUnwrap(try ModelChatTemplate.load(from: directory))
        XCTAssertEqual(loaded.specialTokens, ["bos_token": "<s>", "eos_token": "</s>"])
        XCTAssertTrue(loaded.origin.hasSuffix("tokenizer_config.json: chat_template"))
        let rendered = try loaded.render(messages: messages, addGenerationPrompt: false)
        XCTAssertEqual(rendered.text, "<s>[user]Hi</s>[assistant]Hello</s>")
        let bytes = Array(rendered.text.utf8)
        XCTAssertEqual(rendered.assistantSpans.map { String(decoding: bytes[$0], as: UTF8.self) }, ["Hello</s>"])
    }

    func testJinjaFileWinsOverConfig() throws {
        try write("tokenizer_config.json", #"{"eos_token": "E", "chat_template": "from config"}"#)
        try write("chat_template.jinja", "from file {{ eos_token }}\n")
        let loaded = try XCTUnwrap(try ModelChatTemplate.load(from: directory))
        XCTAssertEqual(try loaded.template.render(["eos_token": "E"]), "from file E")
        XCTAssertTrue(loaded.origin.hasSuffix("chat_template.jinja"))
    }

    func testNamedTemplatesPickDefaultToolUseOrByName() throws {
        try write("tokenizer_config.json", """
        {"chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}, {"name": "rag", "template": "R"}]}
        """)
        XCTAssertEqual(try ModelChatTemplate.load(from: directory)?.template.source, "D")
        XCTAssertEqual(try ModelChatTemplate.load(from: directory, tools: true)?.template.source, "T")
        XCTAssertEqual(try ModelChatTemplate.load(from: directory, name: "rag")?.template.source, "R")
        XCTAssertThrowsError(try ModelChatTemplate.load(from: directory, name: "chatml")) { error in
            XCTAssertTrue("\(error)".contains("available: default, rag, tool_use"), "\(error)")
        }
    }

    func testNoTemplateIsNilAndBrokenTemplateNamesFileAndLine() throws {
        XCTAssertNil(try ModelChatTemplate.load(from: directory))
        try write("tokenizer_config.json", #"{"chat_template": "ok\n{% for m in messages %}{{ m | shout }}{% endfor %}"}"#)
        XCTAssertThrowsError(try ModelChatTemplate.load(from: directory)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("tokenizer_config.json: chat_template") && text.contains("line 2"), text)
        }
        try write("tokenizer_config.json", #"{"chat_template": 3}"#)
        XCTAssertThrowsError(try ModelChatTemplate.load(from: directory)) { error in
            XCTAssertTrue("\(error)".contains("must be a string or a list"), "\(error)")
        }
    }

    func testLossMaskMarksTokensOverlappingSpans() {
        // "<a>Hello</s><u>" split into tokens by byte ranges; the span covers "Hello</s>" (bytes 3..<11).
        let offsets = [0..<3, 3..<6, 6..<8, 8..<11, 11..<14]
        XCTAssertEqual(ModelChatTemplate.lossMask(tokenOffsets: offsets, spans: [3..<11]), [0, 1, 1, 1, 0])
        XCTAssertEqual(ModelChatTemplate.lossMask(tokenOffsets: offsets, spans: [4..<5, 12..<13]), [0, 1, 0, 0, 1],
                       "a token cut by a span edge counts")
        XCTAssertEqual(ModelChatTemplate.lossMask(tokenOffsets: offsets, spans: []), [0, 0, 0, 0, 0])
    }

    func testConversationFilesKeepOrderAndNameBadPaths() throws {
        try write("chat.json", #"{"messages": [{"role": "user", "content": "Hi", "name": "x"}], "tools": [{"type": "function"}]}"#)
        let (messages, variables) = try ModelChatTemplate.readConversation(directory.appendingPathComponent("chat.json"))
        guard case let .dict(first)? = messages.first else { return XCTFail("not a message") }
        XCTAssertEqual(first.keys, ["role", "content", "name"])
        XCTAssertNotNil(variables["tools"])
        try write("bad.json", #"[{"role": "user", "content": "a"}, {"content": "no role"}]"#)
        XCTAssertThrowsError(try ModelChatTemplate.readConversation(directory.appendingPathComponent("bad.json"))) { error in
            XCTAssertTrue("\(error)".contains("$[1].role"), "\(error)")
        }
        try write("broken.json", #"[{"role": "user", "content": "a"]"#)
        XCTAssertThrowsError(try ModelChatTemplate.readConversation(directory.appendingPathComponent("broken.json"))) { error in
            XCTAssertTrue("\(error)".contains("broken.json"), "\(error)")
        }
    }

    func testGGUFStyleSourceErrorsNameTheOrigin() {
        XCTAssertThrowsError(try ModelChatTemplate(source: "{% include 'x' %}", origin: "model.gguf: tokenizer.chat_template",
                                                   specialTokens: [:])) { error in
            XCTAssertTrue("\(error)".hasPrefix("model.gguf: tokenizer.chat_template: "), "\(error)")
        }
    }

    /// The Jinja template our byte tokenizer writes to tokenizer_config.json renders the layout `ChatFormat`
    /// encodes, and its assistant spans are exactly the tokens `ChatFormat` trains on.
    func testByteTokenizerTemplateMatchesChatFormat() throws {
        let tokenizer = ByteTokenizer()
        let chat = [ChatMessage(role: "system", content: "be brief"), ChatMessage(role: "user", content: "2+2?"),
                    ChatMessage(role: "assistant", content: "4 é"), ChatMessage(role: "user", content: "and 3+3?")]
        let encoding = try ChatFormat(tokenizer: tokenizer).encode(messages: chat)
        let template = try ModelChatTemplate(source: ChatFormat.jinjaTemplate, origin: "ChatFormat.jinjaTemplate", specialTokens: [
            "bos_token": SpecialTokens.texts.bos, "eos_token": SpecialTokens.texts.eos,
        ])
        let messages = chat.map { Value.dict(OrderedDict([("role", .string($0.role)), ("content", .string($0.content))])) }
        let rendered = try template.render(messages: messages, addGenerationPrompt: true)
        XCTAssertEqual(rendered.text, tokenizer.decode(encoding.tokens, showSpecial: true))
        let bytes = Array(rendered.text.utf8)
        let masked = zip(encoding.tokens, encoding.lossMask).filter { $0.1 == 1 }.map(\.0)
        XCTAssertEqual(rendered.assistantSpans.map { String(decoding: bytes[$0], as: UTF8.self) },
                       [tokenizer.decode(masked, showSpecial: true)])
    }

    /// Rendering with the byte tokenizer's template and tokenizing with specials allowed gives ChatFormat's
    /// tokens and loss mask.
    func testEncodeMatchesChatFormatTokensAndMask() throws {
        let tokenizer = ByteTokenizer()
        let chat = [ChatMessage(role: "user", content: "More?"), ChatMessage(role: "assistant", content: "Sure: é")]
        let template = try ModelChatTemplate(source: ChatFormat.jinjaTemplate, origin: "ChatFormat.jinjaTemplate", specialTokens: [
            "bos_token": SpecialTokens.texts.bos, "eos_token": SpecialTokens.texts.eos,
        ])
        let messages = chat.map { Value.dict(OrderedDict([("role", .string($0.role)), ("content", .string($0.content))])) }
        let encoding = try template.encode(messages: messages, addGenerationPrompt: false, tokenizer: tokenizer)
        let expected = try ChatFormat(tokenizer: tokenizer).encode(messages: chat)
        XCTAssertEqual(encoding.tokens, expected.tokens)
        XCTAssertEqual(encoding.lossMask, expected.lossMask)
        XCTAssertEqual(try template.chatEncoding(chat, addGenerationPrompt: false, tokenizer: tokenizer), expected)
        XCTAssertEqual(try template.chatEncoding([chat[0]], addGenerationPrompt: true, tokenizer: tokenizer),
                       try ChatFormat(tokenizer: tokenizer).encode(messages: [chat[0]]), "the generation prefix")
        XCTAssertEqual(encoding.offsets.count, encoding.tokens.count)
        let json = try encoding.jsonLine()
        XCTAssertTrue(json.hasPrefix("{\"text\": \"<|bos|><|user|>More?"), json)
        XCTAssertTrue(json.contains("\"loss_mask\": [0, "), json)
    }

    /// A GGUF file's `tokenizer.chat_template` loads with its special tokens, equal to the template of the HF
    /// directory exported from it, and encodes with the GGUF tokenizer.
    func testGGUFTemplateAndTokenizer() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GGUFTests/Fixtures/tiny_llama.gguf")
        let file = try GGUFFile(contentsOf: fixture)
        let template = try XCTUnwrap(try ModelChatTemplate.load(gguf: file))
        XCTAssertEqual(template.specialTokens["bos_token"], "<|im_start|>")
        XCTAssertEqual(template.specialTokens["eos_token"], "<|im_end|>")
        XCTAssertTrue(template.origin.hasSuffix("tiny_llama.gguf: tokenizer.chat_template"), template.origin)
        _ = try GGUFCheckpoint.exportHF(file, to: directory)
        let exported = try XCTUnwrap(try ModelChatTemplate.load(from: directory))
        XCTAssertEqual(exported.template.source, template.template.source)
        XCTAssertEqual(exported.specialTokens, template.specialTokens)
        let encoding = try template.encode(messages: messages, addGenerationPrompt: false,
                                           tokenizer: try BPETokenizer(gguf: file))
        XCTAssertEqual(encoding.tokens.filter { $0 == 1 }.count, encoding.text.components(separatedBy: "<|im_start|>").count - 1,
                       "<|im_start|> written by the template is one special token each time")
        let bytes = Array(encoding.text.utf8)
        let trained = zip(encoding.offsets, encoding.lossMask).filter { $0.1 == 1 }.map { String(decoding: bytes[$0.0], as: UTF8.self) }
        XCTAssertEqual(trained.joined(), "Hello<|im_end|>")
    }
}
