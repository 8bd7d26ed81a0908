import XCTest
@testable import Engine
@testable import EngineCore

/// The staleness table from the issue, on `command` nodes in a temp workspace.
final class StalenessTests: XCTestCase {
    /// src_a → upper → count → report, upper + src_b → joined. Every command appends its name to ran.log.
    static func pipelineJSON(label: String = "n") -> String {
        """
        {
          "experiment": "demo",
          "seed": 7,
          "nodes": {
            "src_a": {"kind": "file", "params": {"path": "src/a.txt"}},
            "src_b": {"kind": "file", "params": {"path": "src/b.txt"}},
            "upper": {"kind": "command", "inputs": {"text": "src_a"},
                      "params": {"cmd": "echo upper >> ran.log; tr a-z A-Z < \\"$RLHF_IN_TEXT\\" > \\"$RLHF_OUT_OUT\\""},
                      "outputs": {"out": "out/upper.txt"}},
            "count": {"kind": "command", "inputs": {"text": "upper.out"},
                      "params": {"cmd": "echo count >> ran.log; echo \\"$RLHF_PARAM_LABEL $(wc -c < \\"$RLHF_IN_TEXT\\")\\" > \\"$RLHF_OUT_OUT\\"", "label": "\(label)"},
                      "outputs": {"out": "out/count.txt"}},
            "report": {"kind": "command", "inputs": {"count": "count"},
                       "params": {"cmd": "echo report >> ran.log; cat \\"$RLHF_IN_COUNT\\" > \\"$RLHF_OUT_OUT\\""},
                       "outputs": {"out": "out/report.txt"}},
            "joined": {"kind": "command", "inputs": {"x": "upper", "y": "src_b"},
                       "params": {"cmd": "echo joined >> ran.log; cat \\"$RLHF_IN_X\\" \\"$RLHF_IN_Y\\" > \\"$RLHF_OUT_OUT\\""},
                       "outputs": {"out": "out/joined.txt"}}
          }
        }
        """
    }

    static let commands = ["count", "joined", "report", "upper"]

    private func makeWorkspace() throws -> TestWorkspace {
        let workspace = try TestWorkspace()
        try workspace.write("src/a.txt", "hello\n")
        try workspace.write("src/b.txt", "world\n")
        try workspace.write("pipeline.json", Self.pipelineJSON())
        return workspace
    }

    func testStalenessTable() throws {
        let ws = try makeWorkspace()

        // 1. A first build runs all nodes.
        var summary = try ws.build()
        XCTAssertEqual(Set(summary.built), Set(Self.commands + ["src_a", "src_b"]))
        XCTAssertEqual(ws.ranLog().sorted(), Self.commands)
        XCTAssertEqual(ws.read("out/joined.txt"), "HELLO\nworld\n")
        XCTAssertEqual(ws.read("out/report.txt"), "n 6\n")

        // 2. A second build runs none.
        ws.clearRanLog()
        summary = try ws.build()
        XCTAssertEqual(summary.built, [])
        XCTAssertEqual(summary.upToDate.count, 6)
        XCTAssertEqual(ws.ranLog(), [])

        // 3. Editing one source file reruns exactly its downstream nodes.
        try ws.write("src/b.txt", "there\n")
        summary = try ws.build()
        XCTAssertEqual(summary.built.sorted(), ["joined", "src_b"])
        XCTAssertEqual(ws.ranLog(), ["joined"])
        XCTAssertEqual(ws.read("out/joined.txt"), "HELLO\nthere\n")

        // 4. A whitespace-only or key-reorder edit of pipeline.json reruns nothing.
        ws.clearRanLog()
        let reordered = Self.pipelineJSON()
            .replacingOccurrences(of: "\"experiment\": \"demo\",\n  \"seed\": 7,", with: "\"seed\":7,\"experiment\":\"demo\",")
            .replacingOccurrences(of: "\n", with: "\n\n   ")
        XCTAssertNotEqual(reordered, Self.pipelineJSON())
        try ws.write("pipeline.json", reordered)
        summary = try ws.build()
        XCTAssertEqual(summary.built, [])
        XCTAssertEqual(ws.ranLog(), [])

        // 5. Changing one param reruns that node and its downstream nodes.
        try ws.write("pipeline.json", Self.pipelineJSON(label: "bytes"))
        summary = try ws.build()
        XCTAssertEqual(summary.built.sorted(), ["count", "report"])
        XCTAssertEqual(ws.read("out/report.txt"), "bytes 6\n")

        // 6. Reverting that param reuses the earlier results and runs nothing.
        ws.clearRanLog()
        try ws.write("pipeline.json", Self.pipelineJSON())
        summary = try ws.build()
        XCTAssertEqual(summary.built, [])
        XCTAssertEqual(summary.reused.sorted(), ["count", "report"])
        XCTAssertEqual(ws.ranLog(), [])
        XCTAssertEqual(ws.read("out/report.txt"), "n 6\n")

        // 7. Early cutoff: upper reruns with byte-identical output; nothing downstream reruns.
        try ws.write("src/a.txt", "HELLO\n")
        summary = try ws.build()
        XCTAssertEqual(summary.built.sorted(), ["src_a", "upper"])
        XCTAssertEqual(ws.ranLog(), ["upper"])
        XCTAssertEqual(Set(summary.upToDate), ["count", "report", "joined", "src_b"])

        // 8. Deleting a materialised output restores it from the store without running.
        ws.clearRanLog()
        try FileManager.default.removeItem(atPath: ws.path("out/count.txt"))
        summary = try ws.build()
        XCTAssertEqual(summary.built, [])
        XCTAssertEqual(summary.reused, ["count"])
        XCTAssertEqual(ws.read("out/count.txt"), "n 6\n")
        XCTAssertEqual(ws.ranLog(), [])

        // 9a. --force runs just that node (its identical output cuts off everything below).
        summary = try ws.build { $0.force = ["upper"] }
        XCTAssertEqual(summary.built, ["upper"])
        XCTAssertEqual(ws.ranLog(), ["upper"])

        // 9b. --force-downstream also runs everything below it.
        ws.clearRanLog()
        summary = try ws.build { $0.force = ["upper"]; $0.forceDownstream = true }
        XCTAssertEqual(summary.built.sorted(), ["count", "joined", "report", "upper"])
        XCTAssertEqual(ws.ranLog().sorted(), ["count", "joined", "report", "upper"])
    }

    func testTargetsBuildOnlyWhatTheyNeed() throws {
        let ws = try makeWorkspace()
        let summary = try ws.build { $0.targets = ["count"] }
        XCTAssertEqual(summary.built.sorted(), ["count", "src_a", "upper"])
        XCTAssertFalse(ws.exists("out/joined.txt"))
    }

    func testDryRunPrintsPlanAndRunsNothing() throws {
        let ws = try makeWorkspace()
        let summary = try ws.build { $0.dryRun = true }
        XCTAssertEqual(Set(summary.built), Set(Self.commands + ["src_a", "src_b"]))
        XCTAssertEqual(ws.ranLog(), [])
        XCTAssertFalse(ws.exists("out/upper.txt"))
        let plan = try ws.executor().plan()
        XCTAssertEqual(plan["upper"]?.decision, .run(.neverBuilt))
    }

    func testParallelJobsBuildTheSameResult() throws {
        let ws = try makeWorkspace()
        let summary = try ws.build { $0.jobs = 4 }
        XCTAssertEqual(summary.built.count, 6)
        XCTAssertEqual(ws.read("out/joined.txt"), "HELLO\nworld\n")
        XCTAssertEqual(try ws.build { $0.jobs = 4 }.built, [])
    }

    func testStatusExplainsReasons() throws {
        let ws = try makeWorkspace()
        try ws.build()
        try ws.write("pipeline.json", Self.pipelineJSON(label: "z"))
        try ws.write("src/b.txt", "changed\n")
        let plan = try ws.executor().plan()
        XCTAssertEqual(plan["count"]?.decision, .run(.definitionChanged(changed: ["params.label"])))
        XCTAssertEqual(plan["src_b"]?.decision, .run(.inputChanged(role: "source", upstream: "src/b.txt")))
        XCTAssertEqual(plan["joined"]?.decision, .run(.inputChanged(role: "y", upstream: "src_b")))
        XCTAssertEqual(plan["upper"]?.decision, .upToDate)
    }
}

/// Directory outputs are stored as trees and restored from the store.
final class DirectoryOutputTests: XCTestCase {
    func testDirectoryOutputIsStoredAndRestored() throws {
        let ws = try TestWorkspace()
        try ws.write("src/a.txt", "alpha\n")
        try ws.write("pipeline.json", #"""
        {"experiment": "d", "nodes": {
          "src": {"kind": "file", "params": {"path": "src"}},
          "shards": {"kind": "command", "inputs": {"in": "src"},
                     "params": {"cmd": "echo shards >> ran.log; mkdir -p \"$RLHF_OUT_DIR/sub\"; cp \"$RLHF_IN_IN\"/a.txt \"$RLHF_OUT_DIR/sub/copy.txt\"; echo one > \"$RLHF_OUT_DIR/one.txt\""},
                     "outputs": {"dir": "out/shards"}},
          "count": {"kind": "command", "inputs": {"dir": "shards"},
                    "params": {"cmd": "echo count >> ran.log; find \"$RLHF_IN_DIR\" -type f | wc -l | tr -d ' ' > \"$RLHF_OUT_N\""},
                    "outputs": {"n": "out/n.txt"}}
        }}
        """#)
        XCTAssertEqual(try ws.build().built.sorted(), ["count", "shards", "src"])
        XCTAssertEqual(ws.read("out/shards/sub/copy.txt"), "alpha\n")
        XCTAssertEqual(ws.read("out/n.txt"), "2\n")
        XCTAssertEqual(try ws.build().built, [])

        try FileManager.default.removeItem(atPath: ws.path("out/shards"))
        ws.clearRanLog()
        let summary = try ws.build()
        XCTAssertEqual(summary.reused, ["shards"])
        XCTAssertEqual(summary.built, [])
        XCTAssertEqual(ws.read("out/shards/one.txt"), "one\n")
        XCTAssertEqual(ws.ranLog(), [])

        try ws.write("src/b.txt", "beta\n")
        XCTAssertEqual(try ws.build().built.sorted(), ["shards", "src"], "a new source file changes the directory hash; the output tree is identical, so count is cut off")
    }
}
