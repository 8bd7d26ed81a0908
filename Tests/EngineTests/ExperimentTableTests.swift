import XCTest
import Foundation
@testable import Engine
@testable import EngineCore

/// A kind with a loss series and a one-point summary metric that depend on its `steps` param.
private struct ScoredKind: StageKind {
    let name = "scored"
    let version = 1
    let params = [ParamSpec("steps", .integer, required: true), ParamSpec("label", .string)]
    let inputs: [InputSpec]? = [InputSpec("text")]
    let outputs: [String]? = ["out"]

    func run(_ context: StageContext) throws {
        let steps = Int(context.params["steps"]!.intValue!)
        for step in 1...steps { context.metrics.record("loss", step: step, value: [3.0, 1.0, 2.0, 0.5][(step - 1) % 4]) }
        context.metrics.record("score", step: 0, value: Double(steps) * 2)
        try "\(steps)".write(to: context.outputs["out"]!, atomically: false, encoding: .utf8)
    }
}

/// The experiments table, metric summaries, run operands and `dag --json`.
final class ExperimentTableTests: XCTestCase {
    private func pipeline(_ experiment: String, steps: Int) -> String {
        #"""
        {"experiment": "\#(experiment)", "nodes": {
          "text": {"kind": "file", "params": {"path": "t.txt"}},
          "train": {"kind": "scored", "inputs": {"text": "text"}, "params": {"steps": \#(steps), "label": "same"}}
        }}
        """#
    }

    private func workspace() throws -> TestWorkspace {
        let ws = try TestWorkspace(registry: StageRegistry.builtIn.adding([ScoredKind()]))
        try ws.write("t.txt", "hello")
        try ws.write("pipeline.json", pipeline("short", steps: 2))
        try ws.build()
        try ws.write("pipeline.json", pipeline("long", steps: 4))
        try ws.build()
        return ws
    }

    func testRowsPerExperimentWithDifferingParamsAndSummaryMetrics() throws {
        let ws = try workspace()
        let table = try ExperimentTable(catalog: try ws.open().catalog, sort: "-train.score")
        XCTAssertEqual(table.rows.map(\.experiment), ["long", "short"])
        XCTAssertEqual(table.paramColumns, ["train.steps"], "only params that differ")
        XCTAssertEqual(table.metricColumns, ["train.score"], "one-point metrics by default")
        XCTAssertEqual(table.rows.map { $0.metrics["train.score"] }, [8, 4])
        XCTAssertEqual(table.rows.map(\.status), ["succeeded", "succeeded"])
        XCTAssertEqual(table.csv, "experiment,run,status,train.steps,train.score\nlong,,succeeded,4,8\nshort,,succeeded,2,4\n")

        let chosen = try ExperimentTable(catalog: try ws.open().catalog, params: ["train.label"], metrics: ["train.loss"], sort: "experiment")
        XCTAssertEqual(chosen.rows.map { $0.params["train.label"] }, ["\"same\"", "\"same\""])
        XCTAssertEqual(chosen.rows.map { $0.metrics["train.loss"] }, [0.5, 1.0], "the last value of each series")

        let json = try JSONEncoder().encode(table)
        XCTAssertEqual(try JSONDecoder().decode(ExperimentTable.self, from: json), table)
        XCTAssertThrowsError(try ExperimentTable(catalog: try ws.open().catalog, metrics: ["train.nosuch"]))
        XCTAssertThrowsError(try ExperimentTable(catalog: try ws.open().catalog, sort: "nosuch"))
    }

    func testRowsPerRunOfOneNode() throws {
        let ws = try workspace()
        let table = try ExperimentTable(catalog: try ws.open().catalog, node: "train", sort: "steps")
        XCTAssertEqual(table.rows.map(\.experiment), ["short", "long"])
        XCTAssertEqual(table.paramColumns, ["steps"])
        XCTAssertEqual(table.rows.compactMap(\.run).count, 2)
        XCTAssertThrowsError(try ExperimentTable(catalog: try ws.open().catalog, node: "nosuch"))
    }

    func testMetricSummaryAndRunOperands() throws {
        let ws = try workspace()
        let catalog = try ws.open().catalog
        let latest = try catalog.run(named: "train")
        let summary = try XCTUnwrap(MetricSummary.summarize(try catalog.detail(run: latest).metrics).first { $0.name == "loss" })
        XCTAssertEqual(summary, MetricSummary(name: "loss", points: 4, first: 3, firstStep: 1, last: 0.5, lastStep: 4, min: 0.5, minStep: 4, max: 3, maxStep: 1))
        let first = try XCTUnwrap(try catalog.runs(node: "train").last?.id)
        XCTAssertEqual(try catalog.run(named: "train@\(latest - 1)"), first)
        XCTAssertEqual(try catalog.run(named: "train", experiment: "short"), first)
        XCTAssertThrowsError(try catalog.run(named: "train@x"))
        XCTAssertThrowsError(try catalog.run(named: "nosuch"))
    }

    func testDagJSONListsNodesAndEdges() throws {
        let ws = try workspace()
        let text = DagRenderer.render(try ws.pipeline(), format: .json)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(object["experiment"] as? String, "long")
        XCTAssertEqual((object["nodes"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["text", "train"])
        let edges = try XCTUnwrap(object["edges"] as? [[String: Any]])
        XCTAssertEqual(edges.count, 1)
        XCTAssertEqual(edges.first?["from"] as? String, "text")
        XCTAssertEqual(edges.first?["role"] as? String, "text")
    }

    func testVerifyAndGCListEveryObjectWithItsNodeAndPath() throws {
        let ws = try workspace()
        let workspace = try ws.open()
        let verified = try Maintenance.verify(workspace: workspace, pipeline: try ws.pipeline())
        XCTAssertEqual(verified.objects.count, verified.checked)
        XCTAssertFalse(verified.objects.isEmpty)
        XCTAssertTrue(verified.objects.allSatisfy { $0.status == "ok" && $0.node == "train" && $0.path.hasSuffix("/train/out") }, "\(verified.objects)")
        let decoded = try JSONDecoder().decode(VerifyReport.self, from: try JSONEncoder().encode(verified))
        XCTAssertEqual(decoded.objects, verified.objects)

        // A superseded run's output is unreferenced with --keep 0.
        try ws.write("pipeline.json", pipeline("long", steps: 3))
        try ws.build()
        let gc = try Maintenance.collectGarbage(workspace: workspace, pipeline: try ws.pipeline(), keep: 0, dryRun: true)
        XCTAssertEqual(gc.objects.map(\.hash), gc.removed)
        XCTAssertEqual(gc.objects.count, 1, "the steps-4 output of long")
        XCTAssertTrue(gc.objects.allSatisfy { $0.status == "would remove" && $0.node != "-" && $0.path != "-" }, "\(gc.objects)")
    }
}
