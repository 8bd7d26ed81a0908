import Engine
import EngineCore
import Foundation
@testable import Stages
import XCTest

/// `gate.schema`: clean files pass, each problem is found with file, line and field, limits hold at the boundary.
final class GateSchemaTests: XCTestCase {
    func testCleanFilesPass() throws {
        let harness = try GateHarness()
        try harness.write("d/sft.jsonl", lines: [#"{"prompt": "p", "response": "r"}"#,
                                                 #"{"messages": [{"role": "user", "content": "p"}, {"role": "assistant", "content": "r"}]}"#])
        try harness.write("d/pref.jsonl", lines: [#"{"prompt": "p", "chosen": "a", "rejected": "b", "reason": "x"}"#])
        try harness.write("d/prompts.jsonl", lines: [#"{"prompt": "p", "id": 7}"#, "", #"{"prompt": "q\ttab\nnewline"}"#])
        let result = try harness.run(SchemaGate(), inputs: ["sft": "d/sft.jsonl", "preferences": "d/pref.jsonl", "prompts": "d/prompts.jsonl"])
        XCTAssertEqual(result.report.status, .pass, result.report.message)
        XCTAssertEqual(result.report.findings, [])
        XCTAssertEqual(result.report.figures["lines"], 5)
    }

    func testEachProblemIsFoundWithFileLineAndField() throws {
        let harness = try GateHarness()
        var data = Data()
        let lines = [
            #"{"prompt": "ok", "response": "fine"}"#,
            #"{"prompt": "no response"}"#,
            #"{"prompt": 5, "response": "r"}"#,
            #"{"prompt": "", "response": "r"}"#,
            #"{"prompt": "   ", "response": "r"}"#,
            #"{"prompt": "bell\u0007", "response": "r"}"#,
            #"{"messages": [{"role": "assistant", "content": "r"}, {"role": "user", "content": "p"}]}"#,
            #"{"messages": [{"role": "user", "content": "p"}, {"role": "assistant"}]}"#,
            "not json",
            #"{"prompt": "0123456789x", "response": "r"}"#,
        ]
        for line in lines { data.append(Data((line + "\n").utf8)) }
        data.append(Data(#"{"prompt": "bad "#.utf8) + Data([0xC3, 0x28]) + Data(#"", "response": "r"}"#.utf8) + Data("\n".utf8))
        try harness.write("d/sft.jsonl", data: data)
        let result = try harness.run(SchemaGate(), inputs: ["sft": "d/sft.jsonl"], params: ["max_chars": .int(10)])
        XCTAssertEqual(result.report.status, .fail)
        func expect(_ kind: String, line: Int, field: String?, file: StaticString = #filePath, sourceLine: UInt = #line) {
            let found = result.findings(kind).filter { $0.line == line }
            XCTAssertFalse(found.isEmpty, "no \(kind) on line \(line): \(result.report.findings)", file: file, line: sourceLine)
            XCTAssertEqual(found.first?.field, field, file: file, line: sourceLine)
            XCTAssertEqual(found.first?.file, "d/sft.jsonl", file: file, line: sourceLine)
        }
        expect("missing_field", line: 2, field: "response")
        expect("wrong_type", line: 3, field: "prompt")
        expect("empty_string", line: 4, field: "prompt")
        expect("empty_string", line: 5, field: "prompt")
        expect("control_character", line: 6, field: "prompt")
        expect("invalid_record", line: 7, field: "messages[0].role")
        expect("missing_field", line: 8, field: "messages[1].content")
        expect("invalid_json", line: 9, field: nil)
        expect("too_many_chars", line: 10, field: "prompt")
        expect("invalid_utf8", line: 11, field: nil)
        XCTAssertTrue(result.findings("missing_field").allSatisfy { $0.line != 1 })
        XCTAssertEqual(result.report.figures["bad_lines"], 10)
    }

    func testTenMegabyteLineIsAFindingNotACrash() throws {
        let harness = try GateHarness()
        let big = String(repeating: "x", count: 10 << 20)
        try harness.write("d/prompts.jsonl", lines: [#"{"prompt": "small"}"#, #"{"prompt": "\#(big)"}"#])
        let result = try harness.run(SchemaGate(), inputs: ["prompts": "d/prompts.jsonl"])
        XCTAssertEqual(result.findings("line_too_long").map(\.line), [2])
        XCTAssertEqual(result.report.status, .fail)
        let parsed = try harness.run(SchemaGate(), inputs: ["prompts": "d/prompts.jsonl"], params: ["max_line_bytes": .int(16 << 20)])
        XCTAssertEqual(parsed.findings("too_many_chars").map(\.line), [2])
        XCTAssertEqual(parsed.findings("too_many_tokens").map(\.line), [2])
    }

    func testLimitsAtTheirBoundary() throws {
        let harness = try GateHarness()
        try harness.write("d/pref.jsonl", lines: [#"{"prompt": "héllo", "chosen": "abc", "rejected": "a"}"#])
        // "héllo" is 5 characters and 6 UTF-8 bytes; the example is 6 + 3 = 9 tokens.
        let exact = try harness.run(SchemaGate(), inputs: ["preferences": "d/pref.jsonl"], params: ["max_chars": .int(5), "max_tokens": .int(9)])
        XCTAssertEqual(exact.report.status, .pass)
        let over = try harness.run(SchemaGate(), inputs: ["preferences": "d/pref.jsonl"], params: ["max_chars": .int(4), "max_tokens": .int(8)])
        XCTAssertEqual(Set(over.report.findings.map(\.kind)), ["too_many_chars", "too_many_tokens"])

        try harness.write("d/prompts.jsonl", lines: [#"{"prompt": "a"}"#, #"{"prompt": "b"}"#, #"{"prompt": "c"}"#, #"{"prompt": 1}"#])
        let tolerated = try harness.run(SchemaGate(), inputs: ["prompts": "d/prompts.jsonl"], params: ["max_bad_fraction": .double(0.25)])
        XCTAssertEqual(tolerated.report.status, .warn)
        let strict = try harness.run(SchemaGate(), inputs: ["prompts": "d/prompts.jsonl"], params: ["max_bad_fraction": .double(0.24)])
        XCTAssertEqual(strict.report.status, .fail)
    }

    func testEmptyFileFails() throws {
        let harness = try GateHarness()
        try harness.write("d/prompts.jsonl", data: Data())
        let result = try harness.run(SchemaGate(), inputs: ["prompts": "d/prompts.jsonl"])
        XCTAssertEqual(result.report.status, .fail)
        XCTAssertEqual(result.findings("empty_file").map(\.file), ["d/prompts.jsonl"])
    }
}
