import XCTest
@testable import World

/// JSONL reading (validation with file, line and field) and deterministic writing.
final class JSONLTests: XCTestCase {
    /// Reads `text` as `type` from an in-memory file "f.jsonl".
    private func read<R: JSONLRecord>(_ type: R.Type, _ bytes: [UInt8],
                                      reader: JSONLReader = JSONLReader()) -> JSONLReader.Result<R> {
        reader.read(type, data: Data(bytes), file: "f.jsonl")
    }

    func testValidSFTIncludingChatFormat() {
        let text = #"""
        {"prompt": "reverse the word cat.", "response": "tac"}

        {"messages": [{"role": "user", "content": "add 1 and 2."}, {"role": "assistant", "content": "3"}]}
        """#
        let result = read(SFTRecord.self, Array(text.utf8))
        XCTAssertEqual(result.issues, [])
        XCTAssertEqual(result.records.map(\.line), [1, 3])
        XCTAssertEqual(result.records.map(\.record), [SFTRecord(prompt: "reverse the word cat.", response: "tac"),
                                                      SFTRecord(prompt: "add 1 and 2.", response: "3")])
    }

    func testEveryBadLineIsReportedWithLineAndField() {
        var bytes = Array(#"{"prompt": "a", "response": "b"}"#.utf8) + [0x0A]
        bytes += Array(#"{"prompt": 3, "response": "b"}"#.utf8) + [0x0A]                      // 2: wrong type
        bytes += Array(#"{"prompt": "a"}"#.utf8) + [0x0A]                                      // 3: missing
        bytes += Array(#"{"prompt": "a", "response": "#.utf8) + [0xFF, 0xFE] + Array("\"}".utf8) + [0x0A] // 4: UTF-8
        bytes += Array(#"["not", "an", "object"]"#.utf8) + [0x0A]                              // 5: not object
        bytes += Array(#"{"prompt": "a", "response": "b""#.utf8) + [0x0A]                      // 6: truncated
        bytes += Array(#"{"prompt": "", "response": null}"#.utf8) + [0x0D, 0x0A]               // 7: empty + null
        bytes += Array(#"{"messages": [{"role": "user", "content": "x"}, {"role": 1, "content": "y"}]}"#.utf8) // 8
        let result = read(SFTRecord.self, bytes)
        XCTAssertEqual(result.records.count, 1)
        let summary = result.issues.map { "\($0.line):\($0.field ?? "-")" }
        XCTAssertEqual(summary, ["2:prompt", "3:response", "4:-", "5:-", "6:-", "7:prompt", "7:response",
                                 "8:messages[1].role"])
        XCTAssertTrue(result.issues[0].message.contains("expected a string, found number"))
        XCTAssertTrue(result.issues[2].message.contains("invalid UTF-8 at byte 29"), result.issues[2].message)
        XCTAssertEqual(result.issues[0].description, "f.jsonl:2: prompt: expected a string, found number")
    }

    func testHugeAndDeeplyNestedLinesAreErrorsNotCrashes() {
        let huge = Array(#"{"prompt": ""#.utf8) + [UInt8](repeating: 0x61, count: 10_000_000) + Array(#""}"#.utf8)
        let deep = [UInt8](repeating: 0x5B, count: 100_000) + [UInt8](repeating: 0x5D, count: 100_000)
        let result = read(PromptRecord.self, huge + [0x0A] + deep)
        XCTAssertEqual(result.issues.map(\.line), [1, 2])
        XCTAssertTrue(result.issues[0].message.contains("over the"))
        XCTAssertTrue(result.issues[1].message.contains("nested deeper"))
    }

    func testPromptAndPreferenceValidation() {
        let prompts = read(PromptRecord.self, Array(#"""
        {"prompt": "add 1 and 2.", "id": 7, "scenario": "safety", "family": "add"}
        {"prompt": "x", "scenario": "fun"}
        """#.utf8))
        XCTAssertEqual(prompts.records.first?.record,
                       PromptRecord(prompt: "add 1 and 2.", id: "7", scenario: .safety, family: "add"))
        XCTAssertEqual(prompts.issues.map { "\($0.line):\($0.field ?? "")" }, ["2:scenario"])
        let prefs = read(PreferenceRecord.self, Array(#"""
        {"prompt": "p", "chosen": "a", "rejected": "b", "reason": "shorter"}
        {"prompt": "p", "chosen": "a", "reason": 5}
        """#.utf8))
        XCTAssertEqual(prefs.records.count, 1)
        XCTAssertEqual(prefs.issues.map { "\($0.line):\($0.field ?? "")" }, ["2:rejected", "2:reason"])
    }

    func testWriterIsDeterministicWithSortedKeysAndRoundTrips() throws {
        let records = [PreferenceRecord(prompt: "p/q", chosen: "é", rejected: "b\n", reason: nil, source: "annotator")]
        let data = try JSONLWriter.encode(records)
        XCTAssertEqual(String(decoding: data, as: UTF8.self),
                       #"{"chosen":"é","prompt":"p/q","rejected":"b\n","source":"annotator"}"# + "\n")
        XCTAssertEqual(try JSONLWriter.encode(records), data)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("world-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try JSONLWriter.write(records, to: url)
        XCTAssertEqual(try JSONLReader().readValid(PreferenceRecord.self, from: url), records)
    }

    func testReadValidThrowsWithAllIssuesAndMissingFileIsAnError() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("world-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("{}\n{\"prompt\": 1}\n".utf8).write(to: url)
        XCTAssertThrowsError(try JSONLReader().readValid(PromptRecord.self, from: url)) { error in
            guard case .invalidJSONL(_, let issues)? = error as? WorldError else { return XCTFail("\(error)") }
            XCTAssertEqual(issues.map(\.line), [1, 2])
        }
        XCTAssertThrowsError(try JSONLReader().read(PromptRecord.self, from: url.appendingPathExtension("missing"))) {
            guard case .fileAccess? = $0 as? WorldError else { return XCTFail("\($0)") }
        }
    }

    func testGeneratedSetsWriteAndReadBackCleanly() throws {
        var config = WorldConfig()
        config.sftCount = 200
        config.ppoPromptCount = 100
        config.evalCount = 50
        let world = try World(config: config)
        let sft = try world.sftDemonstrations(), eval = try world.evalPrompts()
        let sftBack = JSONLReader().read(SFTRecord.self, data: try JSONLWriter.encode(sft), file: "sft")
        let evalBack = JSONLReader().read(PromptRecord.self, data: try JSONLWriter.encode(eval), file: "eval")
        XCTAssertEqual(sftBack.records.map(\.record), sft)
        XCTAssertEqual(evalBack.records.map(\.record), eval)
        XCTAssertTrue(sftBack.issues.isEmpty && evalBack.issues.isEmpty)
    }
}
