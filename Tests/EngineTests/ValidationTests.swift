import XCTest
@testable import Engine
@testable import EngineCore

/// Validation reports every problem at once, each with its JSON path.
final class ValidationTests: XCTestCase {
    private func issues(_ json: String) -> [ValidationIssue] {
        do {
            _ = try PipelineLoader(registry: .builtIn).parse(bytes: Array(json.utf8), file: "pipeline.json")
            XCTFail("expected validation to fail")
            return []
        } catch let EngineError.invalidPipeline(_, issues) {
            return issues
        } catch {
            XCTFail("unexpected error \(error)")
            return []
        }
    }

    private func command(_ inputs: String = "{}", outputs: String = "{}", after: String = "[]") -> String {
        #"{"kind": "command", "params": {"cmd": "true"}, "inputs": \#(inputs), "outputs": \#(outputs), "after": \#(after)}"#
    }

    func testCycleIsPrintedAsAPath() {
        let json = """
        {"experiment": "x", "nodes": {
          "a": \(command(#"{"in": "c.o"}"#, outputs: #"{"o": "a.txt"}"#)),
          "b": \(command(#"{"in": "a.o"}"#, outputs: #"{"o": "b.txt"}"#)),
          "c": \(command(#"{"in": "b.o"}"#, outputs: #"{"o": "c.txt"}"#))
        }}
        """
        let found = issues(json)
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.message, "cycle: a → b → c → a")
    }

    func testDanglingReferencesAndEveryProblemInOneGo() {
        let json = """
        {"experiment": "x", "nodes": {
          "a": \(command(#"{"in": "ghost"}"#, outputs: #"{"o": "../outside.txt"}"#, after: #"["nobody"]"#)),
          "b": \(command(#"{"in": "a.missing"}"#, outputs: #"{"o": "/abs/path"}"#)),
          "c": {"kind": "trainer", "params": {}},
          "d": {"kind": "command", "params": {"cmd": 42}},
          "e": \(command(outputs: #"{"o": "same.txt"}"#)),
          "f": \(command(outputs: #"{"o": "./same.txt"}"#))
        }}
        """
        let found = Dictionary(issues(json).map { ($0.path, $0.message) }, uniquingKeysWith: { $0 + " | " + $1 })
        XCTAssertEqual(found["nodes.a.inputs.in"], "refers to missing node 'ghost'")
        XCTAssertEqual(found["nodes.a.after[0]"], "refers to missing node 'nobody'")
        XCTAssertTrue(found["nodes.a.outputs.o"]?.contains("escapes the workspace") ?? false)
        XCTAssertTrue(found["nodes.b.outputs.o"]?.contains("escapes the workspace") ?? false)
        XCTAssertTrue(found["nodes.b.inputs.in"]?.contains("has no output 'missing'") ?? false)
        XCTAssertTrue(found["nodes.c.kind"]?.hasPrefix("unknown kind 'trainer'") ?? false)
        XCTAssertEqual(found["nodes.d.params.cmd"], "must be string, found integer")
        XCTAssertTrue(found["nodes.f.outputs.o"]?.contains("duplicate output path 'same.txt'") ?? false)
    }

    func testInvalidJSONReportsLineAndColumn() {
        let json = "{\n  \"experiment\": \"x\",\n  \"nodes\": {,}\n}"
        XCTAssertThrowsError(try PipelineLoader(registry: .builtIn).parse(bytes: Array(json.utf8), file: "p.json")) { error in
            guard case let EngineError.invalidJSON(file, line, column, _) = error else { return XCTFail("wrong error \(error)") }
            XCTAssertEqual(file, "p.json")
            XCTAssertEqual(line, 3)
            XCTAssertEqual(column, 13)
        }
    }

    func testFileNodePathEscapeAndMissingParam() {
        let json = #"{"experiment": "x", "nodes": {"s": {"kind": "file", "params": {"path": "../../etc/passwd"}}, "t": {"kind": "file"}}}"#
        let found = Dictionary(issues(json).map { ($0.path, $0.message) }, uniquingKeysWith: { $0 + " | " + $1 })
        XCTAssertTrue(found["nodes.s.params.path"]?.contains("outside the workspace") ?? false)
        XCTAssertTrue(found["nodes.t.params.path"]?.contains("missing required string param") ?? false)
    }

    func testOutsideFileNeedsTheExternalFlagAndTheErrorSaysHowToAddIt() throws {
        let outside = #"{"experiment": "x", "nodes": {"s": {"kind": "file", "params": {"path": "/data/sft.jsonl"}}}}"#
        let message = issues(outside).first { $0.path == "nodes.s.params.path" }?.message ?? ""
        XCTAssertTrue(message.contains("outside the workspace") && message.contains("\"external\": true"), message)
        let flagged = #"{"experiment": "x", "nodes": {"s": {"kind": "file", "params": {"path": "/data/sft.jsonl", "external": true}}}}"#
        XCTAssertEqual(try PipelineLoader(registry: .builtIn).parse(bytes: Array(flagged.utf8), file: "p").nodes["s"]?.outputs["file"],
                       "/data/sft.jsonl")
    }

    func testExternalFileIsTrackedByContent() throws {
        let ws = try TestWorkspace()
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-external-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: outside) }
        try "one".write(to: outside, atomically: true, encoding: .utf8)
        try ws.write("pipeline.json", #"{"experiment": "x", "nodes": {"#
            + #""src": {"kind": "file", "params": {"path": "\#(outside.path)", "external": true}},"#
            + #""copy": {"kind": "command", "inputs": {"text": "src"}, "params": {"cmd": "cat \"$RLHF_IN_TEXT\" > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "out.txt"}}}}"#)
        XCTAssertEqual(Set(try ws.build().built), ["src", "copy"])
        XCTAssertEqual(ws.read("out.txt"), "one")
        XCTAssertEqual(try ws.build().built, [])
        try "two".write(to: outside, atomically: true, encoding: .utf8)
        XCTAssertEqual(Set(try ws.build().built), ["src", "copy"])
        XCTAssertEqual(ws.read("out.txt"), "two")
    }

    func testCanonicalJSONIgnoresWhitespaceAndKeyOrder() throws {
        let first = try JSONValue.parse(Array(#"{"b": [1, 2.0, {"y": true, "x": null}], "a": "t\n"}"#.utf8), file: "a")
        let second = try JSONValue.parse(Array("{\n\"a\":\"t\\n\",\"b\":[1,2,{\"x\":null,\"y\":true}]}".utf8), file: "b")
        XCTAssertEqual(first.canonical, second.canonical)
        XCTAssertEqual(first.canonical, #"{"a":"t\n","b":[1,2,{"x":null,"y":true}]}"#)
    }

    func testValidPipelineHasTopologicalOrder() throws {
        let json = """
        {"experiment": "x", "seed": 3, "nodes": {
          "z": {"kind": "file", "params": {"path": "z.txt"}},
          "m": \(command(#"{"in": "z"}"#, outputs: #"{"o": "m.txt"}"#)),
          "a": \(command(#"{"in": "m.o"}"#, outputs: #"{"o": "a.txt"}"#, after: #"["z"]"#))
        }}
        """
        let pipeline = try PipelineLoader(registry: .builtIn).parse(bytes: Array(json.utf8), file: "p.json")
        XCTAssertEqual(pipeline.order, ["z", "m", "a"])
        XCTAssertEqual(pipeline.seed, 3)
        XCTAssertEqual(pipeline.nodes["m"]?.inputs["in"], OutputRef(node: "z", output: "file"))
        XCTAssertEqual(pipeline.downstream(of: ["z"]), ["m", "a"])
    }
}
