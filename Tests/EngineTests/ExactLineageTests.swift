import XCTest
@testable import Engine
@testable import EngineCore

/// Issue 17 §3: trace follows recorded run edges, not equal bytes; directory members; each run once; depth; JSON params.
final class ExactLineageTests: XCTestCase {
    /// Two nodes write identical bytes; `early` runs before `late` exists; `user` consumes only `late`;
    /// `dir` makes a directory that `reader` consumes.
    static let pipelineJSON = #"""
    {"experiment": "x", "nodes": {
      "src": {"kind": "file", "params": {"path": "src.txt"}},
      "early": {"kind": "command", "inputs": {"in": "src"}, "params": {"cmd": "echo same > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "o/early.txt"}},
      "early_user": {"kind": "command", "inputs": {"in": "early"}, "params": {"cmd": "cp \"$RLHF_IN_IN\" \"$RLHF_OUT_OUT\""}, "outputs": {"out": "o/early_user.txt"}},
      "late": {"kind": "command", "inputs": {"in": "early_user"}, "params": {"cmd": "echo same > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "o/late.txt"}},
      "user": {"kind": "command", "inputs": {"in": "late", "src": "src"}, "params": {"cmd": "cat \"$RLHF_IN_IN\" \"$RLHF_IN_SRC\" > \"$RLHF_OUT_OUT\"", "n": 2, "tags": ["a"]}, "outputs": {"out": "o/user.txt"}},
      "dir": {"kind": "command", "inputs": {"in": "src"}, "params": {"cmd": "mkdir -p \"$RLHF_OUT_OUT/sub\" && cp \"$RLHF_IN_IN\" \"$RLHF_OUT_OUT/sub/config.json\""}, "outputs": {"out": "o/model"}},
      "reader": {"kind": "command", "inputs": {"m": "dir"}, "params": {"cmd": "cat \"$RLHF_IN_M/sub/config.json\" > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "o/reader.txt"}}
    }}
    """#

    private func built() throws -> TestWorkspace {
        let ws = try TestWorkspace()
        try ws.write("src.txt", "s\n")
        try ws.write("pipeline.json", Self.pipelineJSON)
        XCTAssertTrue(try ws.build().succeeded)
        XCTAssertEqual(ws.read("o/early.txt"), ws.read("o/late.txt"), "the two outputs have identical bytes")
        return ws
    }

    func testEqualBytesFromDifferentProducersAreDifferentLineage() throws {
        let ws = try built()
        let workspace = try ws.open()
        let lineage = Lineage(workspace: workspace, experiment: "x")
        let down = try workspace.catalog.traceDown(from: try lineage.starts(for: ws.path("o/late.txt")))
        XCTAssertEqual(down.map(\.run.node), ["user"], "only the run that consumed late's run, not early_user, which consumed equal bytes")
        let earlyDown = try workspace.catalog.traceDown(from: try lineage.starts(for: ws.path("o/early.txt")))
        XCTAssertEqual(earlyDown.map(\.run.node), ["early_user", "late", "user"])
        XCTAssertEqual(try lineage.run(for: ws.path("o/late.txt")), try workspace.catalog.latestRun(node: "late", experiment: "x"))
    }

    func testFileInsideADirectoryArtifactTracesThatArtifact() throws {
        let ws = try built()
        let workspace = try ws.open()
        let lineage = Lineage(workspace: workspace, experiment: "x")
        let dirRun = try workspace.catalog.latestRun(node: "dir", experiment: "x")
        XCTAssertEqual(try lineage.run(for: ws.path("o/model/sub/config.json")), dirRun)
        XCTAssertEqual(try workspace.catalog.traceDown(from: try lineage.starts(for: ws.path("o/model/sub/config.json"))).map(\.run.node), ["reader"])
    }

    func testEachRunPrintedOnceDepthLimitsAndParamsAreAnObject() throws {
        let ws = try built()
        let workspace = try ws.open()
        let userRun = try XCTUnwrap(try workspace.catalog.latestRun(node: "user", experiment: "x"))
        let srcRun = try XCTUnwrap(try workspace.catalog.latestRun(node: "src", experiment: "x"))
        let lines = Lineage.render(try workspace.catalog.traceUp(run: userRun))
        XCTAssertEqual(lines.filter { $0.contains("src  run \(srcRun)") }.count, 1, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.contains("(run \(srcRun), shown above)") }, lines.joined(separator: "\n"))

        let shallow = try workspace.catalog.traceUp(run: userRun, depth: 1)
        let late = try XCTUnwrap(shallow.inputs.first { $0.role == "in" }?.producer)
        XCTAssertEqual(late.run.node, "late")
        XCTAssertNil(late.inputs.first?.producer, "depth 1 expands one level of producers")
        XCTAssertNotNil(late.inputs.first?.producerRun)
        XCTAssertEqual(try workspace.catalog.traceDown(from: [TraceStart(run: srcRun, output: nil)], depth: 1).map(\.run.node).sorted(), ["dir", "early", "user"])

        let encoder = JSONEncoder()
        let json = try JSONSerialization.jsonObject(with: encoder.encode(shallow)) as? [String: Any]
        let params = (json?["run"] as? [String: Any])?["params"] as? [String: Any]
        XCTAssertEqual(params?["n"] as? Int, 2, "params is a JSON object, not a string")
        XCTAssertEqual(params?["tags"] as? [String], ["a"])
    }
}
