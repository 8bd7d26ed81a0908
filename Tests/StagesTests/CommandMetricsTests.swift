import CatalogReports
import Engine
import EngineCore
import Foundation
import XCTest
@testable import Report
@testable import Stages
import TestSupport

/// Metrics of outside trainers: `$RLHF_METRICS` lines and a Hugging Face `trainer_state.json` reach the
/// catalog (what `rlhf show` prints), `rlhf diff` and the report.
final class CommandMetricsTests: XCTestCase {
    private let registry = StageRegistry.builtIn.adding(reportStageKinds)

    private func pipeline(lr: Double, metricsLine: String = #"{"name":"train_loss","step":2,"value":0.8}"#) -> String {
        let trainerState = #"{"log_history": [{"loss": 2.5, "learning_rate": 0.001, "epoch": 0.5, "step": 10}, {"loss": 1.25, "eval_loss": 1.5, "step": 20}]}"#
        return """
        {"experiment": "m", "seed": 1, "nodes": {
          "trl": {"kind": "command", "params": {"lr": \(lr), "cmd": "echo '{\\"name\\":\\"train_loss\\",\\"step\\":1,\\"value\\":\(lr * 100)}' >> \\"$RLHF_METRICS\\"; echo '\(metricsLine.replacingOccurrences(of: "\"", with: "\\\""))' >> \\"$RLHF_METRICS\\"; mkdir -p \\"$RLHF_OUT_MODEL\\"; echo '\(trainerState.replacingOccurrences(of: "\"", with: "\\\""))' > \\"$RLHF_OUT_MODEL/trainer_state.json\\""},
                  "outputs": {"model": "experiments/m/models/trl"}},
          "report": {"kind": "report", "params": {"experiment": "m"}, "inputs": {"model": "trl.model"},
                     "outputs": {"html": "reports/m/index.html", "summary": "reports/m/summary.md"}}}}
        """
    }

    private func build(_ root: URL, _ text: String) throws -> BuildSummary {
        try Data(text.utf8).write(to: root.appendingPathComponent("pipeline.json"))
        let pipeline = try PipelineLoader(registry: registry).load(path: root.appendingPathComponent("pipeline.json").path)
        return try Executor(workspace: try Workspace(root: root), pipeline: pipeline, registry: registry, output: { _ in }).build(BuildOptions())
    }

    func testCommandMetricsReachShowDiffAndTheReport() throws {
        let h = try StageHarness()
        let first = try build(h.root, pipeline(lr: 0.01))
        XCTAssertTrue(first.succeeded, "\(first.errors)")
        let workspace = try Workspace(root: h.root)
        let firstRun = try XCTUnwrap(workspace.catalog.heads(experiment: "m")["trl"]?.runId)
        let detail = try workspace.catalog.detail(run: firstRun)
        let points = Dictionary(grouping: detail.metrics, by: \.name)
        XCTAssertEqual(points["train_loss"]?.map(\.step), [1, 2])
        XCTAssertEqual(points["train_loss"]?.first?.value, 1)
        XCTAssertEqual(points["loss"]?.map(\.value), [2.5, 1.25], "trainer_state.json log_history")
        XCTAssertEqual(points["loss"]?.map(\.step), [10, 20])
        XCTAssertEqual(points["eval_loss"]?.first?.step, 20)
        XCTAssertEqual(points["learning_rate"]?.count, 1)

        let html = try String(contentsOf: h.root.appendingPathComponent("reports/m/index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("Outside trainers") && html.contains("eval_loss") && html.contains("train_loss"), "report section")

        XCTAssertTrue(try build(h.root, pipeline(lr: 0.02)).succeeded)
        let secondRun = try XCTUnwrap(workspace.catalog.heads(experiment: "m")["trl"]?.runId)
        let diff = try RunDiff("\(firstRun)", "\(secondRun)", workspace: workspace, registry: registry).text().joined(separator: "\n")
        XCTAssertTrue(diff.contains("train_loss"), diff)
        XCTAssertTrue(diff.contains("loss"), diff)
    }

    func testABadMetricsLineFailsTheNodeWithItsLineNumber() throws {
        let h = try StageHarness()
        let summary = try build(h.root, pipeline(lr: 0.01, metricsLine: #"{"name":"x","step":"two","value":1}"#))
        XCTAssertFalse(summary.succeeded)
        let error = summary.errors["trl"] ?? "\(summary.errors)"
        XCTAssertTrue(error.contains("$RLHF_METRICS line 2: \"step\" must be an integer"), error)
        XCTAssertNil(try Workspace(root: h.root).catalog.heads(experiment: "m")["trl"], "nothing registered")
    }
}
