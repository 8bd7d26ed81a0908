import XCTest
@testable import Engine
@testable import EngineCore

/// Trace up and down across three levels, answered from the catalog even after rebuilds; gc keeps what the pipeline needs.
final class LineageTests: XCTestCase {
    /// raw (file) → clean → features → model: three command levels.
    static func pipelineJSON(scale: Int = 1) -> String {
        #"""
        {"experiment": "l", "nodes": {
          "raw": {"kind": "file", "params": {"path": "raw.txt"}},
          "clean": {"kind": "command", "inputs": {"raw": "raw"}, "params": {"cmd": "tr -d ' ' < \"$RLHF_IN_RAW\" > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "d/clean.txt"}},
          "features": {"kind": "command", "inputs": {"clean": "clean"}, "params": {"cmd": "wc -c < \"$RLHF_IN_CLEAN\" > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "d/features.txt"}},
          "model": {"kind": "command", "inputs": {"features": "features"}, "params": {"cmd": "echo model $(( $(cat \"$RLHF_IN_FEATURES\") * $RLHF_PARAM_SCALE )) > \"$RLHF_OUT_OUT\"", "scale": \#(scale)}, "outputs": {"out": "d/model.txt"}}
        }}
        """#
    }

    private func built() throws -> TestWorkspace {
        let ws = try TestWorkspace()
        try ws.write("raw.txt", "a b c\n")
        try ws.write("pipeline.json", Self.pipelineJSON())
        XCTAssertEqual(try ws.build().built.count, 4)
        return ws
    }

    func testTraceUpAcrossThreeLevels() throws {
        let ws = try built()
        let workspace = try ws.open()
        let lineage = Lineage(workspace: workspace, experiment: nil)
        let tree = try workspace.catalog.traceUp(run: try lineage.run(for: "model"))
        XCTAssertEqual(tree.run.node, "model")
        let features = try XCTUnwrap(tree.inputs.first?.producer)
        XCTAssertEqual(features.run.node, "features")
        let clean = try XCTUnwrap(features.inputs.first?.producer)
        XCTAssertEqual(clean.run.node, "clean")
        let raw = try XCTUnwrap(clean.inputs.first?.producer)
        XCTAssertEqual(raw.run.node, "raw")
        XCTAssertEqual(clean.inputs.first?.artifact, try FileHasher().hash(path: ws.path("raw.txt"))?.hex)
        XCTAssertEqual(tree.run.params, #"{"cmd":"echo model $(( $(cat \"$RLHF_IN_FEATURES\") * $RLHF_PARAM_SCALE )) > \"$RLHF_OUT_OUT\"","scale":1}"#)

        // A workspace path and a hash prefix resolve to the same run.
        XCTAssertEqual(try lineage.run(for: ws.path("d/model.txt")), tree.run.id)
        XCTAssertEqual(try lineage.run(for: String(tree.run.outputs["out"]!.prefix(10))), tree.run.id)
        XCTAssertTrue(Lineage.render(tree).contains { $0.contains("raw  run") })
    }

    func testTraceDownFromSourceAndAfterRebuild() throws {
        let ws = try built()
        let workspace = try ws.open()
        let rawHash = try XCTUnwrap(try FileHasher().hash(path: ws.path("raw.txt"))).hex
        var down = try workspace.catalog.traceDown(from: try workspace.catalog.producers(ofArtifact: rawHash))
        XCTAssertEqual(down.map(\.run.node), ["clean", "features", "model"])
        XCTAssertEqual(down.map(\.depth), [1, 2, 3])

        // After the source changes and everything rebuilds, the old artifact's lineage is still answered.
        try ws.write("raw.txt", "x y z w\n")
        XCTAssertEqual(try ws.build().built.count, 4)
        down = try workspace.catalog.traceDown(from: try workspace.catalog.producers(ofArtifact: rawHash))
        XCTAssertEqual(down.map(\.run.node), ["clean", "features", "model"])
        let newDown = try workspace.catalog.traceDown(from: try Lineage(workspace: workspace, experiment: nil).starts(for: "raw"))
        XCTAssertEqual(Set(newDown.map(\.run.id)).intersection(down.map(\.run.id)), [])
    }

    func testGcKeepsEverythingTheCurrentPipelineNeeds() throws {
        let ws = try built()
        try ws.write("pipeline.json", Self.pipelineJSON(scale: 2))
        XCTAssertEqual(try ws.build().built, ["model"])
        try ws.write("pipeline.json", Self.pipelineJSON(scale: 3))
        XCTAssertEqual(try ws.build().built, ["model"])
        let workspace = try ws.open()
        let pipeline = try ws.pipeline()
        XCTAssertEqual(workspace.store.allObjects().count, 5)

        let dry = try Maintenance.collectGarbage(workspace: workspace, pipeline: pipeline, keep: 1, dryRun: true)
        XCTAssertEqual(dry.removed.count, 2)
        XCTAssertEqual(workspace.store.allObjects().count, 5)

        // Without --keep every run of a current node is protected.
        XCTAssertEqual(try Maintenance.collectGarbage(workspace: workspace, pipeline: pipeline, keep: nil, dryRun: false).removed, [])

        let report = try Maintenance.collectGarbage(workspace: workspace, pipeline: pipeline, keep: 1, dryRun: false)
        XCTAssertEqual(report.removed.count, 2)
        XCTAssertEqual(workspace.store.allObjects().count, 3)
        for name in ["clean", "features", "model"] {
            try FileManager.default.removeItem(atPath: ws.path("d/\(name).txt"))
        }
        let summary = try ws.build()
        XCTAssertEqual(summary.built, [], "everything the current pipeline needs is still in the store")
        XCTAssertEqual(Set(summary.reused), ["clean", "features", "model"])
        XCTAssertEqual(ws.read("d/model.txt"), "model 12\n")

        // A node removed from the pipeline loses its objects.
        let withoutModel = Self.pipelineJSON().split(separator: "\n").filter { !$0.contains("\"model\":") }.joined(separator: "\n")
            .replacingOccurrences(of: "d/features.txt\"}},", with: "d/features.txt\"}}")
        try ws.write("pipeline.json", withoutModel)
        let pruned = try Maintenance.collectGarbage(workspace: workspace, pipeline: try ws.pipeline(), keep: nil, dryRun: false)
        XCTAssertEqual(pruned.removed.count, 1)
    }

    func testVerifyReportsACorruptedObject() throws {
        let ws = try built()
        let workspace = try ws.open()
        let victim = workspace.store.allObjects()[0]
        let path = workspace.store.path(of: victim)
        chmod(path, 0o644)
        try "tampered".write(toFile: path, atomically: false, encoding: .utf8)
        let result = try Maintenance.verify(workspace: workspace)
        XCTAssertEqual(result.checked, 3)
        XCTAssertEqual(result.corrupt.map(\.expected), [victim.hex])
    }
}
