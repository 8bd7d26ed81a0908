import XCTest
import Foundation
@testable import Engine
@testable import EngineCore

/// A custom kind exercising the stage protocol: params schema, metrics, progress, seed and verdicts.
private struct CounterKind: StageKind {
    let name = "counter"
    var version = 1
    let params = [ParamSpec("steps", .integer, required: true), ParamSpec("verdict", .string)]
    let inputs: [InputSpec]? = [InputSpec("text")]
    let outputs: [String]? = ["summary"]
    let usesRandomness = true

    func run(_ context: StageContext) throws {
        let text = try String(contentsOf: context.inputs["text"]!, encoding: .utf8)
        let steps = Int(context.params["steps"]!.intValue!)
        for step in 1...steps {
            context.metrics.record("loss", step: step, value: 1.0 / Double(step))
            context.progress.update(step: step, total: steps, loss: 1.0 / Double(step))
        }
        if let verdict = context.params["verdict"]?.stringValue {
            context.record(verdict: GateVerdict(gate: "length", status: GateVerdict.Status(rawValue: verdict)!, severity: "high", message: "checked"))
        }
        try "\(text.count) chars, seed \(context.seed)\n".write(to: context.outputs["summary"]!, atomically: false, encoding: .utf8)
    }
}

final class StageProtocolTests: XCTestCase {
    private func pipeline(steps: Any = 3, verdict: String? = nil, seed: Int = 5) -> String {
        let verdictParam = verdict.map { #", "verdict": "\#($0)""# } ?? ""
        return #"""
        {"experiment": "s", "seed": \#(seed), "nodes": {
          "text": {"kind": "file", "params": {"path": "t.txt"}},
          "count": {"kind": "counter", "inputs": {"text": "text"}, "params": {"steps": \#(steps)\#(verdictParam)}},
          "below": {"kind": "command", "inputs": {"in": "count"}, "params": {"cmd": "cp \"$RLHF_IN_IN\" \"$RLHF_OUT_OUT\""}, "outputs": {"out": "below.txt"}}
        }}
        """#
    }

    private func workspace(version: Int = 1) throws -> TestWorkspace {
        let ws = try TestWorkspace(registry: StageRegistry.builtIn.adding([CounterKind(version: version)]))
        try ws.write("t.txt", "hello")
        return ws
    }

    func testMetricsDefaultOutputPathAndSeed() throws {
        let ws = try workspace()
        try ws.write("pipeline.json", pipeline())
        XCTAssertEqual(try ws.build().built.count, 3)
        XCTAssertEqual(ws.read("experiments/s/data/count/summary"), "5 chars, seed 5\n")
        let run = try XCTUnwrap(try ws.open().catalog.runs(node: "count").first)
        let detail = try ws.open().catalog.detail(run: run.id)
        XCTAssertEqual(detail.metrics.map(\.step), [1, 2, 3])
        XCTAssertEqual(detail.metrics.last?.value ?? 0, 1.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(detail.params["steps"], "3")

        try ws.write("pipeline.json", pipeline(seed: 6))
        let plan = try ws.executor().plan()
        XCTAssertEqual(plan["count"]?.decision, .run(.definitionChanged(changed: ["seed"])))
    }

    func testVersionBumpMakesResultsStale() throws {
        let ws = try workspace()
        try ws.write("pipeline.json", pipeline())
        try ws.build()
        let bumped = try workspace(version: 2)
        try FileManager.default.removeItem(at: bumped.root)
        try FileManager.default.copyItem(at: ws.root, to: bumped.root)
        let plan = try bumped.executor().plan()
        XCTAssertEqual(plan["count"]?.decision, .run(.definitionChanged(changed: ["counter version 1→2"])))
    }

    func testParamTypesAreValidatedForKinds() throws {
        let ws = try workspace()
        try ws.write("pipeline.json", pipeline(steps: "\"three\""))
        XCTAssertThrowsError(try ws.pipeline()) { error in
            XCTAssertEqual(error as? EngineError, .invalidPipeline(file: ws.path("pipeline.json"), issues: [
                ValidationIssue(path: "nodes.count.params.steps", message: "must be integer, found string"),
            ]))
        }
    }

    func testFailedGateBlocksEverythingBelowAndIsRecorded() throws {
        let ws = try workspace()
        try ws.write("pipeline.json", pipeline(verdict: "fail"))
        var summary = try ws.build()
        XCTAssertEqual(summary.failed, ["count"])
        XCTAssertEqual(summary.blocked, ["below"])
        XCTAssertTrue(summary.errors["count"]?.contains("gate length FAILED, blocking: checked") ?? false)
        let run = try XCTUnwrap(try ws.open().catalog.runs(node: "count").first)
        XCTAssertEqual(try ws.open().catalog.detail(run: run.id).gates.map(\.status), [.fail])

        summary = try ws.build()
        XCTAssertEqual(summary.upToDate.sorted(), ["count", "text"])
        XCTAssertEqual(summary.blocked, ["below"], "a failed gate keeps blocking while it is up to date")

        try ws.write("pipeline.json", pipeline(verdict: "warn"))
        summary = try ws.build()
        XCTAssertEqual(summary.built.sorted(), ["below", "count"])
        XCTAssertTrue(summary.succeeded)

        // Reverting to the failing definition reuses the cached run, and its verdict still blocks.
        try ws.write("pipeline.json", pipeline(verdict: "fail"))
        summary = try ws.build()
        XCTAssertEqual(summary.reused, ["count"])
        XCTAssertEqual(summary.failed, ["count"])
        XCTAssertEqual(summary.blocked, ["below"])
        XCTAssertEqual(try ws.build().blocked, ["below"])
    }

    func testProgressReporterPlainLines() {
        let lines = LockedBox<[String]>([])
        let reporter = ProgressReporter(label: "sft", isTerminal: false, write: { lines.value.append($0) })
        for step in 1...20 { reporter.update(step: step, total: 20, loss: 0.5) }
        XCTAssertEqual(lines.value.count, 11)
        XCTAssertTrue(lines.value.last!.hasPrefix("sft: step 20/20 loss 0.5000"))
    }
}
