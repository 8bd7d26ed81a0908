import XCTest
import Foundation
@testable import Engine

/// A gate kind for tests: records the verdict its params name and writes it as its outcome.
struct TestGateKind: StageKind {
    let name = "testgate"
    let version = 1
    let params = [ParamSpec("status", .string, required: true), ParamSpec("severity", .string), ParamSpec("threshold", .number)]
    let inputs: [InputSpec]? = [InputSpec("data")]
    let outputs: [String]? = ["outcome"]
    let usesRandomness = false

    func run(_ context: StageContext) throws {
        let status = context.params["status"]!.stringValue!
        let severity = context.params["severity"]?.stringValue ?? "error"
        try "\(status)\n".write(to: context.outputs["outcome"]!, atomically: false, encoding: .utf8)
        try "gate\n".write(toFile: context.workspace.path + "/ran.log", atomically: false, encoding: .utf8)
        context.record(verdict: GateVerdict(gate: "test", status: GateVerdict.Status(rawValue: status)!, severity: severity, message: "status \(status)"))
    }
}

/// A workspace whose `train` and `eval` sit below the gate `check`, and `side` does not.
func gateWorkspace() throws -> TestWorkspace {
    let ws = try TestWorkspace(registry: StageRegistry.builtIn.adding([TestGateKind()]))
    try ws.write("d.txt", "data")
    return ws
}

/// The pipeline text of `gateWorkspace`, with the gate's params and the role `train` uses for it.
func gatePipeline(status: String, severity: String? = nil, threshold: Double = 0.5, role: String = "check", experiment: String = "g", data: String = "d.txt") -> String {
    let severityParam = severity.map { #", "severity": "\#($0)""# } ?? ""
    let log = #"echo \"$RLHF_NODE\" >> ran.log; "#
    return #"""
    {"experiment": "\#(experiment)", "seed": 1, "nodes": {
      "src": {"kind": "file", "params": {"path": "\#(data)"}},
      "check": {"kind": "testgate", "inputs": {"data": "src"}, "params": {"status": "\#(status)", "threshold": \#(threshold)\#(severityParam)}},
      "train": {"kind": "command", "inputs": {"in": "src", "\#(role)": "check.outcome"},
                "params": {"cmd": "\#(log)cp \"$RLHF_IN_IN\" \"$RLHF_OUT_MODEL\""}, "outputs": {"model": "out/\#(experiment)/model.txt"}},
      "eval": {"kind": "command", "inputs": {"model": "train.model"},
               "params": {"cmd": "\#(log)cp \"$RLHF_IN_MODEL\" \"$RLHF_OUT_SCORE\""}, "outputs": {"score": "out/\#(experiment)/score.txt"}},
      "side": {"kind": "command", "inputs": {"in": "src"},
               "params": {"cmd": "\#(log)cp \"$RLHF_IN_IN\" \"$RLHF_OUT_COPY\""}, "outputs": {"copy": "out/\#(experiment)/side.txt"}}
    }}
    """#
}

final class GateSemanticsTests: XCTestCase {
    func testWarnSeverityFailureNeverBlocks() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "fail", severity: "warn"))
        let summary = try ws.build()
        XCTAssertTrue(summary.succeeded)
        XCTAssertEqual(summary.built.sorted(), ["check", "eval", "side", "src", "train"])
        XCTAssertEqual(summary.failed, [])
        let plan = try ws.executor().plan()
        XCTAssertEqual(plan.blocked, [:])
        XCTAssertEqual(plan["eval"]?.decision, .upToDate)
        XCTAssertEqual(try ws.open().catalog.runs(node: "check").first.map { try ws.open().catalog.detail(run: $0.id).gates.map(\.status) }, [.fail])
    }

    func testErrorGateBlocksEverythingBelowAndStatusSaysBlockedBy() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "fail"))
        let summary = try ws.build { $0.keepGoing = true }
        XCTAssertFalse(summary.succeeded)
        XCTAssertEqual(summary.failed, ["check"])
        XCTAssertEqual(summary.blocked.sorted(), ["eval", "train"])
        XCTAssertEqual(summary.blockedBy, ["eval": "check", "train": "check"])
        XCTAssertTrue(summary.built.contains("side"))
        XCTAssertFalse(ws.exists("out/g/model.txt"))

        let plan = try ws.executor().plan()
        XCTAssertEqual(plan["train"]?.decision, .blocked(by: "check"))
        XCTAssertEqual(plan["eval"]?.decision, .blocked(by: "check"))
        XCTAssertEqual(plan["side"]?.decision, .upToDate)
        let rows = PlanRenderer.rows(plan)
        XCTAssertEqual(rows.first { $0.node == "eval" }?.detail, "blocked by check")
        XCTAssertEqual(rows.first { $0.node == "eval" }?.state, "blocked")
        XCTAssertEqual(PlanRenderer.line(plan["train"]!), "  blocked     train  (blocked by check)")

        let dry = try ws.build { $0.dryRun = true }
        XCTAssertEqual(dry.blocked.sorted(), ["eval", "train"])
        XCTAssertEqual(dry.failed, ["check"])
        XCTAssertFalse(dry.succeeded)
    }
}

final class GateOverrideTests: XCTestCase {
    func testOverrideBuildsBelowRecordsLineageAndNextBuildBlocksAgain() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "fail"))
        XCTAssertEqual(try ws.build { $0.keepGoing = true }.blocked.sorted(), ["eval", "train"])
        let gateRun = try XCTUnwrap(try ws.open().catalog.latestRun(node: "check"))
        let blockedKeys = try ws.executor().plan()

        let dry = try ws.build { $0.dryRun = true; $0.allowFailedGates = ["check"] }
        XCTAssertEqual(dry.overridden, ["check"])
        XCTAssertEqual(dry.blocked, [])

        var summary = try ws.build { $0.allowFailedGates = ["check"] }
        XCTAssertTrue(summary.succeeded, "\(summary)")
        XCTAssertEqual(summary.overridden, ["check"])
        XCTAssertEqual(summary.built.sorted(), ["eval", "train"])
        XCTAssertEqual(ws.read("out/g/score.txt"), "data")

        let catalog = try ws.open().catalog
        let trainRun = try XCTUnwrap(try catalog.latestRun(node: "train"))
        let evalRun = try XCTUnwrap(try catalog.latestRun(node: "eval"))
        XCTAssertEqual(try catalog.detail(run: trainRun).overrides.map(\.gateNode), ["check"])
        XCTAssertEqual(try catalog.detail(run: evalRun).overrides, [GateOverride(gateNode: "check", gateRun: gateRun, message: "gate test failed (error): status fail")])
        let trace = Lineage.render(try catalog.traceUp(run: evalRun))
        XCTAssertTrue(trace.contains { $0.contains("! built past failed gate check (run \(gateRun)") }, trace.joined(separator: "\n"))
        let json = String(decoding: try JSONEncoder().encode(try catalog.detail(run: evalRun)), as: UTF8.self)
        XCTAssertTrue(json.contains(#""gateNode":"check""#))

        summary = try ws.build()
        XCTAssertFalse(summary.succeeded)
        XCTAssertEqual(summary.failed, ["check"])
        XCTAssertEqual(summary.blocked.sorted(), ["eval", "train"], "without the flag nothing below a failed error gate is up to date")
        let plan = try ws.executor().plan()
        XCTAssertEqual(plan["eval"]?.decision, .blocked(by: "check"))
        XCTAssertEqual(plan["check"]?.key, blockedKeys["check"]?.key)

        ws.clearRanLog()
        summary = try ws.build { $0.allowFailedGates = ["check"] }
        XCTAssertEqual(summary.upToDate.sorted(), ["check", "eval", "side", "src", "train"], "the override does not change keys")
        XCTAssertEqual(ws.ranLog(), [])
    }

    func testUnknownOverrideNodeIsRefused() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "fail"))
        XCTAssertThrowsError(try ws.build { $0.allowFailedGates = ["nope"] }) { error in
            XCTAssertTrue("\(error)".contains("--allow-failed-gates"))
        }
    }
}

final class GateInputRoleTests: XCTestCase {
    func testGateRoleEntersTheKeyAndCutsOffWhenTheOutcomeIsUnchanged() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "pass", threshold: 0.5, role: "gate_check"))
        XCTAssertEqual(try ws.build().built.count, 5)

        try ws.write("pipeline.json", gatePipeline(status: "pass", threshold: 0.7, role: "gate_check"))
        ws.clearRanLog()
        var summary = try ws.build()
        XCTAssertEqual(summary.built, ["check"], "a threshold change reruns the gate only")
        XCTAssertEqual(summary.upToDate.sorted(), ["eval", "side", "src", "train"])
        XCTAssertEqual(ws.ranLog(), ["gate"])

        try ws.write("pipeline.json", gatePipeline(status: "warn", threshold: 0.7, role: "gate_check"))
        summary = try ws.build()
        XCTAssertEqual(summary.built.sorted(), ["check", "train"], "a changed verdict is a changed input of the guarded node (eval is cut off: same model bytes)")
        let run = try XCTUnwrap(try ws.open().catalog.latestRun(node: "train"))
        XCTAssertEqual(try ws.open().catalog.detail(run: run).inputs.map(\.role), ["gate_check", "in"])
    }

    func testUndeclaredGateRolesAreAcceptedAndOtherRolesRejected() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", #"""
        {"experiment": "g", "nodes": {
          "src": {"kind": "file", "params": {"path": "d.txt"}},
          "first": {"kind": "testgate", "inputs": {"data": "src"}, "params": {"status": "pass"}},
          "second": {"kind": "testgate", "inputs": {"data": "src", "gate_first": "first.outcome"}, "params": {"status": "pass"}}
        }}
        """#)
        XCTAssertEqual(try ws.pipeline().nodes["second"]?.inputs["gate_first"], OutputRef(node: "first", output: "outcome"))
        XCTAssertEqual(try ws.build().built.sorted(), ["first", "second", "src"])

        try ws.write("pipeline.json", #"""
        {"experiment": "g", "nodes": {
          "src": {"kind": "file", "params": {"path": "d.txt"}},
          "first": {"kind": "testgate", "inputs": {"data": "src"}, "params": {"status": "pass"}},
          "second": {"kind": "testgate", "inputs": {"data": "src", "gate_": "first.outcome", "verdict": "first.outcome"}, "params": {"status": "pass"}}
        }}
        """#)
        XCTAssertThrowsError(try ws.pipeline()) { error in
            guard case let .invalidPipeline(_, issues)? = error as? EngineError else { return XCTFail("\(error)") }
            XCTAssertEqual(issues.map(\.path), ["nodes.second.inputs.gate_", "nodes.second.inputs.verdict"])
            XCTAssertTrue(issues[1].message.contains("has no input 'verdict'"))
        }
    }
}

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
        try executor(ws, "experiments/smoke/pipeline.json").build({ var o = BuildOptions(); o.allowFailedGates = ["check"]; return o }())
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
        XCTAssertEqual(try ws.open().catalog.experimentSnapshot(experiment: "default")["train"]?.overrides, [])
        let data = try JSONEncoder().encode(snapshot)
        XCTAssertEqual(try JSONDecoder().decode(ExperimentSnapshot.self, from: data).nodes.count, 5)
    }
}
