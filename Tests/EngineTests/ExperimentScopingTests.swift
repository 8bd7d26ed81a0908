import XCTest
import Foundation
@testable import Engine
@testable import EngineCore

final class ExperimentScopingTests: XCTestCase {
    /// Two experiments with the same node names in one workspace.
    private func twoExperiments() throws -> TestWorkspace {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "pass", experiment: "default"))
        try ws.write("experiments/smoke/pipeline.json", gatePipeline(status: "fail", experiment: "smoke"))
        return ws
    }

    private func executor(_ ws: TestWorkspace, _ file: String) throws -> Executor {
        Executor(workspace: try ws.open(), pipeline: try PipelineLoader(registry: ws.registry).load(path: ws.path(file)), registry: ws.registry, output: { _ in })
    }

    func testSameNodeNamesKeepSeparateHeadsAndShareTheRunCache() throws {
        let ws = try twoExperiments()
        XCTAssertTrue(try ws.build().succeeded)
        var options = BuildOptions()
        options.keepGoing = true
        let smoke = try executor(ws, "experiments/smoke/pipeline.json").build(options)
        XCTAssertEqual(smoke.failed, ["check"])
        XCTAssertEqual(smoke.reused, ["side"], "the run cache is global: identical work is shared")
        XCTAssertEqual(smoke.blocked.sorted(), ["eval", "train"])

        let catalog = try ws.open().catalog
        let defaultHeads = try catalog.heads(experiment: "default")
        let smokeHeads = try catalog.heads(experiment: "smoke")
        XCTAssertEqual(Set(defaultHeads.keys), ["check", "eval", "side", "src", "train"])
        XCTAssertEqual(Set(smokeHeads.keys), ["check", "side", "src"])
        XCTAssertNotEqual(defaultHeads["check"]?.runId, smokeHeads["check"]?.runId)
        XCTAssertEqual(try ws.executor().plan().toRun, [], "the other experiment's builds do not make default stale")
        XCTAssertEqual(try executor(ws, "experiments/smoke/pipeline.json").plan().blocked, ["eval": "check", "train": "check"])

        XCTAssertEqual(try catalog.runs(node: "check", experiment: "smoke").map(\.experiment), ["smoke"])
        XCTAssertEqual(try catalog.runs(node: "check", experiment: "default").count, 1)
        XCTAssertEqual(try catalog.runs(node: "check").count, 2)
        XCTAssertEqual(try catalog.experiments(), ["default", "smoke"])
        let smokeTrace = try catalog.traceUp(run: try Lineage(workspace: ws.open(), experiment: "smoke").run(for: "check"))
        XCTAssertEqual(smokeTrace.run.experiment, "smoke")
        XCTAssertThrowsError(try Lineage(workspace: ws.open(), experiment: "smoke").run(for: "train"), "smoke never built train")
        XCTAssertNil(try catalog.latestRun(node: "train", experiment: "smoke"))
    }

    func testMetricsOfAReusedRunComeFromTheRunThatComputedThem() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "pass", experiment: "default"))
        try ws.write("experiments/smoke/pipeline.json", gatePipeline(status: "pass", experiment: "smoke"))
        try ws.build()
        XCTAssertEqual(try executor(ws, "experiments/smoke/pipeline.json").build(BuildOptions()).reused.sorted(), ["check", "eval", "side", "train"])
        let smoke = try ws.open().catalog.experimentSnapshot(experiment: "smoke")
        XCTAssertEqual(smoke["check"]?.run.status, "reused")
        XCTAssertEqual(smoke["check"]?.metrics["checked"]?.map(\.value), [1])
        XCTAssertEqual(try ws.open().catalog.metrics(run: smoke["check"]!.run.id!), smoke["check"]?.metrics)
        XCTAssertEqual(try ws.open().catalog.metrics(run: smoke["check"]!.run.sourceRun!)["checked"]?.count, 1)
    }

    func testGcKeepsEveryExperimentsHeads() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "pass", experiment: "default"))
        try ws.write("experiments/smoke/pipeline.json", gatePipeline(status: "pass", experiment: "smoke", data: "e.txt"))
        try ws.write("e.txt", "smoke one")
        XCTAssertTrue(try ws.build().succeeded)
        XCTAssertTrue(try executor(ws, "experiments/smoke/pipeline.json").build(BuildOptions()).succeeded)
        try ws.write("e.txt", "smoke two")
        XCTAssertTrue(try executor(ws, "experiments/smoke/pipeline.json").build(BuildOptions()).succeeded)

        let smokePipeline = try PipelineLoader(registry: ws.registry).load(path: ws.path("experiments/smoke/pipeline.json"))
        let report = try Maintenance.collectGarbage(workspace: ws.open(), pipeline: smokePipeline, keep: 0, dryRun: false)
        XCTAssertEqual(report.removed.count, 1, "the superseded smoke object (model, score and side hold the same bytes) goes")
        for path in ["out/default/model.txt", "out/default/score.txt", "out/smoke/model.txt"] {
            try FileManager.default.removeItem(atPath: ws.path(path))
        }
        XCTAssertEqual(try ws.build().built, [], "default's heads survive gc run from another experiment")
        XCTAssertEqual(try executor(ws, "experiments/smoke/pipeline.json").build(BuildOptions()).built, [])
        XCTAssertEqual(ws.read("out/default/score.txt"), "data")
        XCTAssertEqual(ws.read("out/smoke/model.txt"), "smoke two")
    }

    func testSnapshotReportsHeadsParamsArtifactsMetricsGatesAndOverrides() throws {
        let ws = try twoExperiments()
        try ws.build()
        var options = BuildOptions()
        options.allowFailedGates = ["check"]
        XCTAssertEqual(try executor(ws, "experiments/smoke/pipeline.json").build(options).overridden, ["check"])
        let snapshot = try ws.open().catalog.experimentSnapshot(experiment: "smoke")
        XCTAssertEqual(snapshot.experiment, "smoke")
        XCTAssertEqual(snapshot.nodes.map(\.node), ["check", "eval", "side", "src", "train"])
        XCTAssertEqual(snapshot["check"]?.gates.map(\.status), [.fail])
        XCTAssertEqual(snapshot["check"]?.params["status"], "\"fail\"")
        XCTAssertEqual(snapshot["train"]?.overrides.map(\.gateNode), ["check"])
        XCTAssertEqual(snapshot["train"]?.inputs.map(\.role), ["check", "in"])
        XCTAssertEqual(snapshot["train"]?.inputs.first?.upstreamRun, snapshot["check"]?.run.id)
        XCTAssertEqual(snapshot["eval"]?.outputs.first?.path, "out/smoke/score.txt")
        XCTAssertEqual(snapshot["eval"]?.run.experiment, "smoke")
        XCTAssertEqual(snapshot.overriddenGates, ["check"])
        XCTAssertEqual(try ws.open().catalog.experimentSnapshot(experiment: "default")["train"]?.overrides, [])
        let data = try JSONEncoder().encode(snapshot)
        XCTAssertEqual(try JSONDecoder().decode(ExperimentSnapshot.self, from: data).nodes.count, 5)
    }
}

final class ExperimentLookupTests: XCTestCase {
    func testTracingANodeOfAnotherExperimentNamesIt() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "pass", experiment: "other"))
        try ws.build()
        XCTAssertThrowsError(try Lineage(workspace: ws.open(), experiment: "default").run(for: "train")) { error in
            XCTAssertTrue("\(error)".contains("experiment(s) other; pass --experiment NAME"), "\(error)")
        }
        XCTAssertNoThrow(try Lineage(workspace: ws.open(), experiment: "other").run(for: "train"))
    }
}
