import Foundation
import Model
import World
import XCTest
@testable import EngineCore
@testable import Stages
@testable import Training
import TestSupport

/// Prompts and preference pairs with a system message or several turns: read, kept, written back as TRL message
/// lists, and rendered with the system message and earlier turns through `ChatFormat` (byte models) or the
/// checkpoint's chat template (real models).
final class ConversationalPromptTests: XCTestCase {
    private func read(_ format: RecordFormat, _ text: String) -> RecordReader.Result {
        RecordReader().read(format, data: Data(text.utf8), file: "data.jsonl")
    }

    private let system = ChatMessage(role: "system", content: "Answer briefly.")
    private func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: text) }
    private func assistant(_ text: String) -> ChatMessage { ChatMessage(role: "assistant", content: text) }

    func testPromptsWithASystemMessageAndEarlierTurnsKeepThem() throws {
        let result = read(.prompts, #"""
        {"prompt": [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "Capital of Peru?"}], "id": "a"}
        {"prompt": [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Capital of Peru?"}]}
        {"prompt": "Capital of Peru?"}
        """#)
        XCTAssertEqual(result.issues, [])
        let prompts = result.records.compactMap { if case .prompt(let p) = $0.record { return p }; return nil }
        XCTAssertEqual(prompts.map(\.prompt), ["Capital of Peru?", "Capital of Peru?", "Capital of Peru?"], "prompt is the final user message")
        XCTAssertEqual(prompts[0].context, PromptContext(system: "Answer briefly."))
        XCTAssertEqual(prompts[1].context, PromptContext(turns: ["Hi!", "Hello."]))
        XCTAssertTrue(prompts[2].context.isEmpty)
        XCTAssertEqual(prompts[0].chat, [system, user("Capital of Peru?")])
        XCTAssertEqual(prompts[1].chat, [user("Hi!"), assistant("Hello."), user("Capital of Peru?")])
        XCTAssertNotEqual(prompts[0], prompts[2], "the context is part of the record")

        // Written back in the TRL conversational form (single-turn prompts stay strings), and read back equal.
        let written = String(decoding: try JSONLWriter.encode(prompts), as: UTF8.self)
        let lines = written.split(separator: "\n")
        XCTAssertEqual(lines[0], #"{"id":"a","prompt":[{"content":"Answer briefly.","role":"system"},{"content":"Capital of Peru?","role":"user"}]}"#)
        XCTAssertEqual(lines[2], #"{"prompt":"Capital of Peru?"}"#)
        XCTAssertEqual(read(.prompts, written).records.map(\.record), result.records.map(\.record))
    }

    func testConversationalPairsKeepTheirContextInEveryShape() throws {
        let result = read(.preferences, #"""
        {"prompt": [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "2+2?"}], "chosen": "4", "rejected": "5"}
        {"chosen": [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}], "rejected": [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "5"}]}
        {"prompt": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}], "chosen": "a", "rejected": "b"}
        """#)
        let pairs = result.records.compactMap { if case .preference(let p) = $0.record { return p }; return nil }
        XCTAssertEqual(pairs.count, 2)
        XCTAssertEqual(pairs[0].context, PromptContext(system: "Answer briefly."))
        XCTAssertEqual(pairs[1].context, PromptContext(turns: ["Hi!", "Hello."]), "the implicit prompt's earlier turns")
        XCTAssertEqual(pairs[1].chat, [user("Hi!"), assistant("Hello."), user("2+2?")])
        XCTAssertEqual([pairs[1].chosen, pairs[1].rejected], ["4", "5"])
        XCTAssertEqual(result.issues.map { "\($0.line):\($0.field ?? "-")" }, ["3:prompt[1].role"], "a prompt still ends with the user")
        XCTAssertTrue(result.issues[0].message.contains("a prompt ends with a user message"), result.issues[0].message)
        // The gates see the system message and the earlier turns as text fields.
        XCTAssertEqual(result.records[0].record.textFields.map(\.name), ["system", "prompt", "chosen", "rejected"])
        XCTAssertEqual(result.records[1].record.textFields.first { $0.name == "history" }?.text, "Hi!\nHello.")
        let back = read(.preferences, String(decoding: try JSONLWriter.encode(pairs), as: UTF8.self))
        XCTAssertEqual(back.records.map(\.record), result.records.map(\.record))
    }

    /// Byte models: the whole conversation with its role-marker tokens, and a single-turn prompt exactly as before.
    func testByteModelsRenderTheContextWithRoleMarkers() throws {
        let tokenizer = ByteTokenizer()
        let renderer = ChatRenderer(tokenizer: tokenizer)
        let chat = [system, user("Hi!"), assistant("Hello."), user("2+2?")]
        let prefix = try renderer.prefix(chat)
        XCTAssertEqual(tokenizer.decode(prefix, showSpecial: true),
                       "<|bos|><|system|>Answer briefly.<|user|>Hi!<|assistant|>Hello.<|eos|><|user|>2+2?<|assistant|>")
        XCTAssertEqual(prefix, try ChatFormat(tokenizer: tokenizer).encode(messages: chat).tokens)
        XCTAssertEqual(try renderer.prefix([user("2+2?")]), ChatFormat(tokenizer: tokenizer).encode(prompt: "2+2?", response: nil).tokens,
                       "single-turn prompts render as they always did")
        let scored = try renderer.encode(prompt: chat, response: "4")
        XCTAssertEqual(scored.tokens, prefix + tokenizer.encode("4") + [tokenizer.special.eos])
        XCTAssertEqual(scored.promptLength, prefix.count)
        XCTAssertEqual(zip(scored.tokens, scored.lossMask).filter { $0.1 == 1 }.map(\.0), tokenizer.encode("4") + [tokenizer.special.eos])
        // The reward model and the policy sampler see the same context.
        let trainer = RewardTrainer(model: try LlamaModel(config: PPOTestFixtures.config.withScalarHead(), seed: 1), tokenizer: tokenizer,
                                    schedule: nil)
        let record = PromptRecord(prompt: "2+2?", context: PromptContext(system: "Answer briefly.", turns: ["Hi!", "Hello."]))
        XCTAssertEqual(try trainer.tokens(prompt: record.chat, response: "4"), scored.tokens)
        let sampler = PolicySampler(model: try LlamaModel(config: PPOTestFixtures.config, seed: 1), tokenizer: tokenizer)
        XCTAssertEqual(try sampler.promptTokens(record), prefix)
        let rewards = try trainer.scores([(prompt: record.chat, response: "4"), (prompt: [user("2+2?")], response: "4")])
        XCTAssertNotEqual(rewards[0], rewards[1], "the system message and earlier turns reach the reward model")
    }

    /// A command judge gets the final user message as `prompt` and the messages before it as `context`.
    func testTheCommandJudgeSeesTheContext() throws {
        let h = try StageHarness()
        var judge = CommandJudge(command: #"cp "$RLHF_JUDGE_IN" requests.jsonl; "# + JudgeTests.alwaysA, program: nil, timeout: 30, batchSize: 8,
                                 workspace: h.root, scratch: h.root.appendingPathComponent("scratch"), node: "evaluate", context: nil)
        let pair = JudgePair(id: "1", prompt: "2+2?", context: PromptContext(system: "Answer briefly.", turns: ["Hi!", "Hello."]),
                             a: JudgedText(text: "4"), b: JudgedText(text: "5"))
        XCTAssertEqual(try judge.judge([pair]).map { $0?.winner }, [.a])
        let requests = try String(contentsOf: h.root.appendingPathComponent("requests.jsonl"), encoding: .utf8)
        XCTAssertTrue(requests.contains(#""context":[{"content":"Answer briefly.","role":"system"},{"content":"Hi!","role":"user"},"#
            + #"{"content":"Hello.","role":"assistant"}]"#), requests)
        XCTAssertTrue(requests.contains(#""prompt":"2+2?""#), requests)
    }

    /// A checkpoint directory with the tiny llama3-style BPE tokenizer and a ChatML chat template.
    private func bpeCheckpoint(template: String) throws -> URL {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ModelTests/Fixtures/BPE/llama3")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chat-template-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("tokenizer.json"), to: directory.appendingPathComponent("tokenizer.json"))
        let config: [String: Any] = ["bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "chat_template": template]
        try JSONSerialization.data(withJSONObject: config).write(to: directory.appendingPathComponent("tokenizer_config.json"))
        return directory
    }

    private static let chatML = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
        + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"

    /// Real models: the checkpoint's own chat template renders the system message and earlier turns.
    func testRealModelsRenderThroughTheirChatTemplate() throws {
        let directory = try bpeCheckpoint(template: Self.chatML)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenizer = try BPETokenizer(directory: directory)
        XCTAssertFalse(tokenizer.special.hasRoleMarkers)
        let renderer = try ChatRenderer.load(from: directory, tokenizer: tokenizer)
        XCTAssertNotNil(renderer.template)
        let prefix = try renderer.prefix([system, user("Hi!"), assistant("Hello."), user("2+2?")])
        XCTAssertEqual(tokenizer.decode(prefix, showSpecial: true),
                       "<|im_start|>system\nAnswer briefly.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n"
                           + "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertFalse(tokenizer.decode(prefix, showSpecial: true).contains("<|user|>"), "no ChatFormat markers for a templated model")
        // SFT conversations train on the assistant turns the template renders.
        let sft = try renderer.encode(conversation: [system, user("2+2?"), assistant("4")])
        let trained = tokenizer.decode(zip(sft.tokens, sft.lossMask).filter { $0.1 == 1 }.map(\.0), showSpecial: true)
        XCTAssertTrue(trained.hasPrefix("4"), trained)
        // The byte tokenizer keeps ChatFormat even beside a template.
        XCTAssertNil(try ChatRenderer.load(from: directory, tokenizer: ByteTokenizer()).template)
    }

    func testABrokenChatTemplateIsAnErrorNamingTheFile() throws {
        let directory = try bpeCheckpoint(template: "{% for message in messages %}{{ message['content'] }")
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertThrowsError(try ChatRenderer.load(from: directory, tokenizer: try BPETokenizer(directory: directory))) { error in
            XCTAssertTrue("\(error)".contains("tokenizer_config.json"), "\(error)")
        }
    }
}
