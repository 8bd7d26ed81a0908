import Engine
import EngineCore
import Foundation
import Report
import XCTest
@testable import Stages
@testable import Training
import TestSupport

/// The smoke pipeline builds end to end through the engine, rebuilds nothing, and reruns exactly the stale nodes.
final class SmokePipelineTests: XCTestCase {
    /// Every kind the shipped pipelines use: the ML stages plus the `report` kind.
    static let registry = ShippedKinds.registry

    private func build(_ root: URL, pipeline text: String) throws -> BuildSummary {
        try Data(text.utf8).write(to: root.appendingPathComponent("pipeline.json"))
        let workspace = try Workspace(root: root)
        let pipeline = try PipelineLoader(registry: Self.registry).load(path: root.appendingPathComponent("pipeline.json").path)
        return try Executor(workspace: workspace, pipeline: pipeline, registry: Self.registry, output: { _ in }).build(BuildOptions())
    }

    func testSmokePipelineBuildsRebuildsNothingAndRerunsOnlyStaleNodes() throws {
        let h = try StageHarness()
        let original = try String(contentsOf: Repository.root.appendingPathComponent("experiments/smoke/pipeline.json"), encoding: .utf8)
        let first = try build(h.root, pipeline: original)
        XCTAssertTrue(first.succeeded, "\(first.errors)")
        let nodeCount = try PipelineLoader(registry: Self.registry).parse(bytes: Array(original.utf8), file: "smoke").nodes.count
        XCTAssertEqual(first.built.count, nodeCount, "\(first)")
        let experiment = h.root.appendingPathComponent("experiments/smoke")
        for path in ["data/sft_train.jsonl", "data/pref_train.jsonl", "data/prompts_ppo.jsonl", "data/eval_prompts.jsonl",
                     "models/base.txt", "models/base/model.safetensors", "models/sft/config.json",
                     "models/reward_model/model.safetensors", "reports/base_probe.md", "reports/sft_eval.json", "reports/rm_eval.json",
                     "models/rlhf/model.safetensors", "models/rlhf/config.json", "models/rlhf/critic/model.safetensors",
                     "reports/ppo_train_metrics.jsonl", "reports/final_eval.md", "reports/final_eval.json",
                     "models/rlhf_snapshots/iter-000001/model.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: experiment.appendingPathComponent(path).path), path)
        }
        let rmConfig = try String(contentsOf: experiment.appendingPathComponent("models/reward_model/config.json"), encoding: .utf8)
        XCTAssertTrue(rmConfig.contains("LlamaForSequenceClassification"))
        let rmReport = try JSONSerialization.jsonObject(with: Data(contentsOf: experiment.appendingPathComponent("reports/rm_eval.json"))) as! [String: Any]
        for key in ["heldout", "calibration", "gold_agreement", "spearman_reward_length"] { XCTAssertNotNil(rmReport[key], key) }
        let metrics = try PPOTestFixtures.metrics(experiment.appendingPathComponent("reports/ppo_train_metrics.jsonl"))
        XCTAssertEqual(metrics.count, 2)
        let summary = try JSONDecoder().decode(FinalEvaluation.self,
                                               from: Data(contentsOf: experiment.appendingPathComponent("reports/final_eval.json")))
        XCTAssertEqual(summary.models.map(\.model), ["base", "sft", "policy"])
        XCTAssertEqual(summary.samplesPerPrompt, 2)
        XCTAssertEqual(summary.winRates.count, 12, "policy vs SFT and base, by sampled gold, RM and greedy gold, both orders")
        XCTAssertNotNil(summary.model("policy")?.greedyGold)
        let curve = try XCTUnwrap(summary.overOptimisation, "the smoke evaluate node is wired to the ppo snapshots")
        XCTAssertEqual(curve.snapshots.map(\.label), ["sft", "iter-000001", "policy"])
        XCTAssertEqual(curve.bestOfN.map(\.n), [1, 2, 4])
        XCTAssertEqual(curve.bestOfN.map(\.kl), [1, 2, 4].map { BestOfN.kl(n: $0) })
        XCTAssertNotNil(curve.snapshots[1].gold)
        XCTAssertEqual(summary.sliceAlarm?.judged, true, "the world judge lets the slice alarm judge")
        let catalog = try Workspace(root: h.root).catalog
        let snapshotProducers = try catalog.producers(atPath: "experiments/smoke/models/rlhf_snapshots", experiment: "smoke")
        XCTAssertEqual(snapshotProducers.first?.output, "snapshots")
        XCTAssertEqual(snapshotProducers.first?.run, try catalog.heads(experiment: "smoke")["ppo"]?.runId, "the snapshots are an output of the ppo run")
        let page = try fullPage(h.root)
        let ppoRun = try XCTUnwrap(Workspace(root: h.root).catalog.heads(experiment: "smoke")["ppo"]?.runId)
        XCTAssertEqual(page.parsed.row("node-states", exactly: "ppo")?[2], "built")
        XCTAssertEqual(page.parsed.row("node-states", exactly: "ppo")?[3], "run \(ppoRun)")
        XCTAssertTrue(page.html.contains("was trained by run \(ppoRun) from "), "lineage sentence for the policy")
        XCTAssertTrue(page.html.contains("<table id=\"over-optimisation\">"), "the curve's table")
        XCTAssertTrue(page.html.contains("<table id=\"slice-alarm\">"), "the slice alarm's table")
        XCTAssertTrue(page.summary.contains("| ppo | ppo | built | run \(ppoRun) |"))

        let second = try build(h.root, pipeline: original)
        XCTAssertEqual(second.built, [])
        XCTAssertEqual(second.upToDate.count, nodeCount)

        let rmChanged = original.replacingOccurrences(of: "\"centring\": 0.01", with: "\"centring\": 0.02")
        XCTAssertNotEqual(rmChanged, original)
        XCTAssertEqual(try build(h.root, pipeline: rmChanged).built, ["reward_model", "ppo", "evaluate", "report"])
        let rerendered = try fullPage(h.root).parsed
        XCTAssertEqual(rerendered.row("node-states", exactly: "reward_model")?[2], "built")
        XCTAssertEqual(rerendered.row("node-states", exactly: "sft")?[2], "up to date")
        XCTAssertEqual(try build(h.root, pipeline: rmChanged).built, [], "and again nothing")

        let sftChanged = rmChanged.replacingOccurrences(of: "\"sft_error_rate\": 0.1", with: "\"sft_error_rate\": 0.3")
        XCTAssertNotEqual(sftChanged, rmChanged)
        let rerun = try build(h.root, pipeline: sftChanged)
        XCTAssertTrue(Set(["sft_data", "sft", "preferences", "reward_model"]).isSubset(of: rerun.built), "\(rerun)")
        XCTAssertFalse(rerun.built.contains("pretrain"), "the corpus bytes did not change, so pretrain stays up to date")
        XCTAssertFalse(rerun.built.contains("base_probe"))
    }

    /// The page `rlhf build` leaves at `reports/smoke/`: HTML (checked well formed), parsed tables and summary.md.
    private func fullPage(_ root: URL) throws -> (html: String, parsed: ReportXHTML, summary: String) {
        let html = try String(contentsOf: root.appendingPathComponent("reports/smoke/index.html"), encoding: .utf8)
        let parsed = ReportXHTML(html)
        XCTAssertNil(parsed.error, "\(String(describing: parsed.error))")
        return (html, parsed, try String(contentsOf: root.appendingPathComponent("reports/smoke/summary.md"), encoding: .utf8))
    }
}
