import Foundation
import Model
import World
import XCTest
@testable import Stages

/// The one record reader: every TRL format valid and broken, one finding per bad line naming the file,
/// the line, the format read and the formats accepted.
final class RecordReaderTests: XCTestCase {
    private func read(_ format: RecordFormat, _ text: String, reader: RecordReader = RecordReader()) -> RecordReader.Result {
        reader.read(format, data: Data(text.utf8), file: "f.jsonl")
    }

    private func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: text) }
    private func assistant(_ text: String) -> ChatMessage { ChatMessage(role: "assistant", content: text) }

    func testEverySFTShapeReadsAsAConversationOrText() {
        let result = read(.sft, #"""
        {"prompt": "Name a colour.", "response": "Blue."}
        {"prompt": "Name a fruit.", "completion": "A pear."}
        {"prompt": [{"role": "user", "content": "Hi"}], "completion": [{"role": "assistant", "content": "Hello!"}]}
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "A?"}, {"role": "assistant", "content": "B."}, {"role": "user", "content": "C?"}, {"role": "assistant", "content": "D."}]}

        {"text": "Plain text for language modelling."}
        """#)
        XCTAssertEqual(result.issues, [])
        XCTAssertEqual(result.records.map(\.line), [1, 2, 3, 4, 6])
        XCTAssertEqual(result.records.map(\.record), [
            .sft(SFTExample(prompt: "Name a colour.", response: "Blue.")),
            .sft(SFTExample(prompt: "Name a fruit.", response: "A pear.")),
            .sft(SFTExample(prompt: "Hi", response: "Hello!")),
            .sft(SFTExample(.conversation([ChatMessage(role: "system", content: "Be brief."), user("A?"), assistant("B."), user("C?"), assistant("D.")]))),
            .sft(SFTExample(.text("Plain text for language modelling."))),
        ])
    }

    func testBrokenSFTLinesGiveOneFindingEachWithFormatAndAcceptedShapes() {
        var text = #"{"prompt": "a", "response": "b"}"# + "\n"
        text += #"{"prompt": 3}"# + "\n"                                                         // 2: two problems, one finding
        text += #"{"messages": [{"role": "user", "content": "x"}, {"role": "robot", "content": "y"}]}"# + "\n" // 3
        text += #"{"messages": [{"role": "user", "content": "x"}]}"# + "\n"                      // 4: no assistant at the end
        text += #"{"messages": [{"role": "assistant", "content": "x"}]}"# + "\n"                 // 5: starts with assistant
        text += #"{"text": "t", "prompt": "p", "response": "r"}"# + "\n"                         // 6: two shapes
        text += #"{"prompt": "a", "response": "b""# + "\n"                                        // 7: truncated JSON
        text += #"["not", "an", "object"]"# + "\n"                                                // 8
        text += #"{"nothing": true}"# + "\n"                                                      // 9
        let result = read(.sft, text)
        XCTAssertEqual(result.records.count, 1)
        XCTAssertEqual(result.issues.map(\.line), [2, 3, 4, 5, 6, 7, 8, 9], "one finding per bad line")
        XCTAssertEqual(result.issues.map(\.kind), ["wrong_type", "invalid_record", "invalid_record", "invalid_record", "invalid_record",
                                                   "invalid_json", "wrong_type", "missing_field"])
        let first = result.issues[0]
        XCTAssertEqual(first.field, "prompt")
        XCTAssertTrue(first.description.hasPrefix("f.jsonl:2: prompt: expected a string or a list of messages, found integer; response: missing"),
                      first.description)
        XCTAssertTrue(first.message.contains("read as SFT data, which accepts {\"prompt\",\"response\"}"), first.message)
        XCTAssertTrue(first.message.contains("{\"text\"}"), first.message)
        XCTAssertEqual(result.issues[1].field, "messages[1].role")
        XCTAssertTrue(result.issues[2].message.contains("must end with an assistant message"))
        XCTAssertTrue(result.issues[4].message.contains("has both"))
    }

    func testPreferenceShapesExplicitConversationalImplicitAndScores() {
        let result = read(.preferences, #"""
        {"prompt": "p1", "chosen": "good", "rejected": "bad", "reason": "clearer"}
        {"prompt": [{"role": "user", "content": "p2"}], "chosen": [{"role": "assistant", "content": "a"}], "rejected": [{"role": "assistant", "content": "b"}], "score_chosen": 8.5, "score_rejected": 6}
        {"chosen": [{"role": "user", "content": "p3"}, {"role": "assistant", "content": "yes"}], "rejected": [{"role": "user", "content": "p3"}, {"role": "assistant", "content": "no"}], "margin": 1.5}
        """#)
        XCTAssertEqual(result.issues, [])
        XCTAssertEqual(result.records.map(\.record), [
            .preference(PreferenceRecord(prompt: "p1", chosen: "good", rejected: "bad", reason: "clearer")),
            .preference(PreferenceRecord(prompt: "p2", chosen: "a", rejected: "b", margin: 2.5)),
            .preference(PreferenceRecord(prompt: "p3", chosen: "yes", rejected: "no", margin: 1.5)),
        ])
    }

    func testBrokenPreferenceLines() {
        let result = read(.preferences, #"""
        {"prompt": "p", "chosen": "a"}
        {"chosen": "a", "rejected": "b"}
        {"chosen": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "a"}], "rejected": [{"role": "user", "content": "y"}, {"role": "assistant", "content": "b"}]}
        {"prompt": "p", "chosen": "a", "rejected": "b", "score_chosen": 1}
        {"prompt": "p", "chosen": "a", "rejected": "b", "margin": "big"}
        {"prompt": [{"role": "user", "content": "p"}, {"role": "assistant", "content": "x"}], "chosen": "a", "rejected": "b"}
        {"prompt": "p", "chosen": [{"role": "assistant", "content": "a"}, {"role": "user", "content": "more"}], "rejected": "b"}
        """#)
        XCTAssertEqual(result.records.count, 0)
        XCTAssertEqual(result.issues.map(\.line), [1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(result.issues.map { $0.field ?? "-" }, ["rejected", "prompt", "chosen", "score_rejected", "margin", "prompt[1].role", "chosen"])
        XCTAssertTrue(result.issues[1].message.contains("must be whole conversations"), result.issues[1].message)
        XCTAssertTrue(result.issues[2].message.contains("share no prompt messages"), result.issues[2].message)
        XCTAssertTrue(result.issues[5].message.contains("a prompt ends with a user message"), result.issues[5].message)
        XCTAssertTrue(result.issues.allSatisfy { $0.message.contains("read as preference data") })
    }

    func testPromptShapesAndBrokenPrompts() {
        let result = read(.prompts, #"""
        {"prompt": "What is the capital of France?", "id": 7, "scenario": "geography", "family": "facts"}
        {"prompt": [{"role": "user", "content": "Say hi."}]}
        {"prompt": "x", "scenario": 3}
        {"prompt": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
        {"prompt": ""}
        """#)
        XCTAssertEqual(result.records.map(\.record), [
            .prompt(PromptRecord(prompt: "What is the capital of France?", id: "7", scenario: "geography", family: "facts")),
            .prompt(PromptRecord(prompt: "Say hi.")),
        ])
        XCTAssertEqual(result.issues.map { "\($0.line):\($0.kind)" }, ["3:wrong_type", "4:invalid_record", "5:empty_string"])
    }

    func testHugeDeepAndInvalidUTF8LinesAreFindingsNotCrashes() {
        let huge = #"{"prompt": ""# + String(repeating: "a", count: 3_000_000) + #""}"#
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        var bytes = Array((huge + "\n" + deep + "\n").utf8)
        bytes += Array(#"{"prompt": ""#.utf8) + [0xFF, 0xFE] + Array("\"}\r\n".utf8)
        let result = RecordReader().read(.prompts, data: Data(bytes), file: "f.jsonl")
        XCTAssertEqual(result.issues.map(\.kind), ["line_too_long", "invalid_json", "invalid_utf8"])
        XCTAssertTrue(result.issues[2].message.contains("invalid UTF-8 at byte 13"), result.issues[2].message)
    }

    func testRecordsThrowsListingEveryBadLineAndEmptyFileIsAnError() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("records-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("{}\n{\"prompt\": 1}\n".utf8).write(to: url)
        XCTAssertThrowsError(try RecordReader().prompts(from: url, file: "data/p.jsonl")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("data/p.jsonl: 2 bad line(s)") && text.contains("data/p.jsonl:1:") && text.contains("data/p.jsonl:2:"), text)
        }
        try Data("\n\n".utf8).write(to: url)
        XCTAssertThrowsError(try RecordReader().sft(from: url, file: "data/s.jsonl")) { error in
            XCTAssertTrue("\(error)".contains("has no SFT records"), "\(error)")
        }
        XCTAssertThrowsError(try RecordReader().sft(from: url.appendingPathExtension("missing")))
    }

    func testWorldSetsWriteAndReadBackCleanly() throws {
        var config = WorldConfig()
        config.sftCount = 100
        config.evalCount = 40
        let world = try World(config: config)
        let sft = try world.sftDemonstrations(), eval = try world.evalPrompts()
        let sftBack = RecordReader().read(.sft, data: try JSONLWriter.encode(sft), file: "sft")
        let evalBack = RecordReader().read(.prompts, data: try JSONLWriter.encode(eval), file: "eval")
        XCTAssertTrue(sftBack.issues.isEmpty && evalBack.issues.isEmpty)
        XCTAssertEqual(sftBack.records.map(\.record), sft.map { .sft(SFTExample(prompt: $0.prompt, response: $0.response)) })
        XCTAssertEqual(evalBack.records.map(\.record), eval.map { .prompt($0) })
    }

    func testLossOnLastTurnOnlyAndTextOnEveryToken() throws {
        let tokenizer = ByteTokenizer()
        let format = ChatRenderer(tokenizer: tokenizer)
        let chat = SFTExample(.conversation([user("a"), assistant("bb"), user("c"), assistant("dd")]))
        let all = try SFTData.encode(chat, renderer: format, lossTurns: .all, line: 1, file: "f")
        let last = try SFTData.encode(chat, renderer: format, lossTurns: .last, line: 1, file: "f")
        func trained(_ e: ChatEncoding) -> [Int32] { zip(e.tokens, e.lossMask).filter { $0.1 == 1 }.map(\.0) }
        let eos = tokenizer.special.eos
        XCTAssertEqual(trained(all), tokenizer.encode("bb") + [eos] + tokenizer.encode("dd") + [eos])
        XCTAssertEqual(trained(last), tokenizer.encode("dd") + [eos])
        let text = try SFTData.encode(SFTExample(.text("xyz")), renderer: format, lossTurns: .all, line: 1, file: "f")
        XCTAssertEqual(text.tokens, [tokenizer.special.bos] + tokenizer.encode("xyz") + [eos])
        XCTAssertEqual(trained(text), tokenizer.encode("xyz") + [eos])
    }
}
