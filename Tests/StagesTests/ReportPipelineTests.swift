import CatalogReports
import Engine
import EngineCore
import Foundation
import XCTest
@testable import Report
@testable import Stages

/// The `report` node in a real pipeline, and `rlhf report`'s catalog sections.
final class ReportPipelineTests: XCTestCase {
    private var root: URL!
    private let registry = StageRegistry.builtIn.adding(reportStageKinds)

    override func setUpWithError() throws {
        root = try ReportFixtures.temporaryDirectory()
        let fixtures = root.appendingPathComponent("fixtures")
        _ = try ReportFixtures.writeAll(to: fixtures)
        try ReportBenchmark.syntheticPPO(lines: 200).write(to: fixtures.appendingPathComponent("ppo_train_metrics.jsonl"), atomically: true, encoding: .utf8)
        let reports = "experiments/t/reports"
        let pipeline = """
        {"experiment": "t", "seed": 1, "nodes": {
          "sft_src": {"kind": "file", "params": {"path": "fixtures/sft_eval.json"}},
          "ppo_src": {"kind": "file", "params": {"path": "fixtures/ppo_train_metrics.jsonl"}},
          "sft": {"kind": "command", "inputs": {"src": "sft_src"}, "params": {"cmd": "cp \\"$RLHF_IN_SRC\\" \\"$RLHF_OUT_EVAL\\""},
                  "outputs": {"eval": "\(reports)/sft_eval.json"}},
          "ppo": {"kind": "command", "inputs": {"sft": "sft.eval", "src": "ppo_src"}, "params": {"cmd": "cp \\"$RLHF_IN_SRC\\" \\"$RLHF_OUT_METRICS\\""},
                  "outputs": {"metrics": "\(reports)/ppo_train_metrics.jsonl"}},
          "final": {"kind": "command", "inputs": {"policy": "ppo.metrics", "gate": "length_bias.verdict"}, "params": {"cmd": "cp fixtures/final_eval.json \\"$RLHF_OUT_SUMMARY\\""},
                    "outputs": {"summary": "\(reports)/final_eval.json"}},
          "rm": {"kind": "command", "inputs": {"sft": "sft.eval"}, "params": {"cmd": "cp fixtures/rm_eval.json \\"$RLHF_OUT_EVAL\\""},
                 "outputs": {"eval": "\(reports)/rm_eval.json"}},
          "length_bias": {"kind": "command", "inputs": {"sft": "sft.eval"}, "params": {"cmd": "cp fixtures/length_bias.verdict.json \\"$RLHF_OUT_VERDICT\\""},
                          "outputs": {"verdict": "\(reports)/length_bias.verdict.json"}},
          "policy_probe": {"kind": "command", "inputs": {"policy": "ppo.metrics"}, "params": {"cmd": "cp fixtures/policy.jsonl \\"$RLHF_OUT_GENERATIONS\\""},
                           "outputs": {"generations": "\(reports)/policy_probe/generation_probe.jsonl"}},
          "sft_probe": {"kind": "command", "inputs": {"sft": "sft.eval"}, "params": {"cmd": "cp fixtures/base.jsonl \\"$RLHF_OUT_GENERATIONS\\""},
                        "outputs": {"generations": "\(reports)/sft_probe/generation_probe.jsonl"}},
          "report": {"kind": "report", "params": {"experiment": "t"},
                     "inputs": {"sft_eval": "sft.eval", "ppo_metrics": "ppo.metrics", "final_eval": "final.summary"},
                     "outputs": {"html": "\(reports)/report.html", "summary": "\(reports)/report.md"}}}}
        """
        try pipeline.write(to: root.appendingPathComponent("pipeline.json"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func build(_ targets: [String]) throws -> BuildSummary {
        let workspace = try Workspace(root: root)
        let pipeline = try PipelineLoader(registry: registry).load(path: root.appendingPathComponent("pipeline.json").path)
        var options = BuildOptions()
        options.targets = targets
        return try Executor(workspace: workspace, pipeline: pipeline, registry: registry, output: { _ in }).build(options)
    }

    func testReportNodeRendersTheFullPageAndRerunsOnlyWhenWhatItShowsChanged() throws {
        let first = try build(["report"])
        XCTAssertTrue(first.succeeded, "\(first.errors)")
        XCTAssertTrue(first.built.contains("report"))
        let html = try String(contentsOf: root.appendingPathComponent("experiments/t/reports/report.html"), encoding: .utf8)
        let page = ReportXHTML(html)
        XCTAssertNil(page.error)
        XCTAssertTrue(html.contains("RLHF report: t"))
        XCTAssertTrue(page.links.isSubset(of: page.ids), "dangling links: \(page.links.subtracting(page.ids))")
        let ppoRun = try XCTUnwrap(Workspace(root: root).catalog.heads(experiment: "t")["ppo"]?.runId)
        XCTAssertEqual(page.row("node-states", exactly: "ppo")?[2], "built")
        XCTAssertEqual(page.row("node-states", exactly: "ppo")?[3], "run \(ppoRun)")
        XCTAssertEqual(page.row("node-states", exactly: "rm")?[2].hasPrefix("not upstream"), true, "rm is never built and not upstream of the report")
        XCTAssertTrue(html.contains("ppo <a class=\"hash\""), "lineage in words")
        XCTAssertTrue(html.contains("was built by run \(ppoRun)"))
        XCTAssertTrue(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dag\""))
        XCTAssertTrue(html.contains("built past failed gate length_bias (overridden)"), "final stands below the failed verdict, as in `rlhf report`")

        XCTAssertEqual(try build(["report"]).built, [], "a second build runs nothing")

        let lines = try ReportFixtures.jsonl(ReportFixtures.ppoLines(15))
        try lines.write(to: root.appendingPathComponent("fixtures/ppo_train_metrics.jsonl"), atomically: true, encoding: .utf8)
        let third = try build(["report"])
        XCTAssertTrue(third.built.contains("ppo"), "\(third.built)")
        XCTAssertTrue(third.built.contains("report"), "a changed shown artifact reruns the report")
        XCTAssertFalse(third.built.contains("sft"))
        let rerendered = try String(contentsOf: root.appendingPathComponent("experiments/t/reports/report.html"), encoding: .utf8)
        XCTAssertTrue(rerendered.contains("15 iterations"))
        let states = ReportXHTML(rerendered)
        XCTAssertEqual(states.row("node-states", exactly: "ppo")?[2], "built", "ppo ran in this build")
        XCTAssertEqual(states.row("node-states", exactly: "sft")?[2], "up to date", "sft did not")

        try ReportBenchmark.syntheticPPO(lines: 200).write(to: root.appendingPathComponent("fixtures/ppo_train_metrics.jsonl"), atomically: true, encoding: .utf8)
        let reverted = try build(["report"])
        XCTAssertTrue(reverted.reused.contains("ppo"), "\(reverted)")
        XCTAssertTrue(reverted.built.contains("report"), "the reused run is news the page shows")
        let servedBy = try XCTUnwrap(Workspace(root: root).catalog.heads(experiment: "t")["ppo"]?.runId)
        let servedPage = try String(contentsOf: root.appendingPathComponent("experiments/t/reports/report.html"), encoding: .utf8)
        XCTAssertEqual(ReportXHTML(servedPage).row("node-states", exactly: "ppo")?[2], "reused served run \(ppoRun)")
        XCTAssertTrue(servedPage.contains("was built by run \(ppoRun) (served again by run \(servedBy))"))
    }

    func testExperimentReportShowsStatesLineageAndNeverBuiltNodes() throws {
        XCTAssertTrue(try build(["final", "length_bias", "sft_probe"]).succeeded)
        let workspace = try Workspace(root: root)
        let path = root.appendingPathComponent("pipeline.json").path
        let pipeline = try PipelineLoader(registry: registry).load(path: path)
        let out = root.appendingPathComponent("reports/t")
        var compare = pipeline
        compare.experiment = "t-again"
        let written = try ExperimentReport(workspace: workspace, pipeline: pipeline, registry: registry).write(to: out, compare: [compare])
        if let keep = ProcessInfo.processInfo.environment["RLHF_REPORT_FIXTURE_DIR"] {
            // scripts/screenshot-report.sh --fixture reads the rendered fixture report from here.
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: keep + "/index.html")
            try FileManager.default.copyItem(at: written.html, to: URL(fileURLWithPath: keep + "/index.html"))
        }
        let html = try String(contentsOf: written.html, encoding: .utf8)
        let parsed = ReportXHTML(html)
        XCTAssertNil(parsed.error, "\(String(describing: parsed.error))")
        XCTAssertTrue(parsed.links.isSubset(of: parsed.ids), "dangling links: \(parsed.links.subtracting(parsed.ids))")
        let rm = try XCTUnwrap(parsed.tables.values.flatMap { $0 }.first { $0.first == "rm" })
        XCTAssertEqual(rm[2], "never built")
        let ppo = try XCTUnwrap(parsed.tables.values.flatMap { $0 }.first { $0.first == "ppo" })
        XCTAssertEqual(ppo[2], "built")
        XCTAssertTrue(ppo[3].hasPrefix("run "))
        XCTAssertTrue(html.contains("not built: node rm has no experiments/t/reports/rm_eval.json"))
        XCTAssertTrue(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dag\""))
        XCTAssertTrue(html.contains("was built by run"), "lineage in words for ppo")
        XCTAssertTrue(html.contains("built past failed gate length_bias (overridden)"), "final was built below the failed gate")
        XCTAssertTrue(html.contains("<span class=\"override\">OVERRIDDEN</span>"))
        let summary = try String(contentsOf: written.summary, encoding: .utf8)
        XCTAssertTrue(summary.contains("| rm | command | never built | – |"))
    }

    func testDiffOfTwoRunsShowsParamsMetricsAndArtifacts() throws {
        XCTAssertTrue(try build(["ppo"]).succeeded)
        let workspace = try Workspace(root: root)
        let firstPPO = try XCTUnwrap(workspace.catalog.latestRun(node: "ppo"))
        try "{\"train_loss\": [1, 0.5]}".write(to: root.appendingPathComponent("fixtures/sft_eval.json"), atomically: true, encoding: .utf8)
        XCTAssertTrue(try build(["ppo"]).succeeded)
        let secondPPO = try XCTUnwrap(workspace.catalog.latestRun(node: "ppo"))
        XCTAssertNotEqual(firstPPO, secondPPO)
        let diff = try RunDiff("\(firstPPO)", "ppo@\(secondPPO)", workspace: workspace, registry: registry)
        XCTAssertEqual(diff.params, [], "same command, same params")
        XCTAssertTrue(diff.artifacts.contains { $0.name == "ppo.sft" }, "the upstream SFT artifact differs: \(diff.artifacts)")
        XCTAssertTrue(diff.text().contains { $0.contains("upstream artifacts that differ") })
    }
}
