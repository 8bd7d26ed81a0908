import Engine
import EngineCore
import Foundation
@testable import Stages
import XCTest
import TestSupport

/// `experiments/leaky/pipeline.json` through the engine: the data gates pass, gate.eval_leak fails
/// and its verdict lists every planted leak (exact, reworded, embedded) with both files and lines.
final class GateLeakyPipelineTests: XCTestCase {
    func testLeakyExperimentFailsTheLeakGateListingEveryLeak() throws {
        let harness = try GateHarness()
        let text = try String(contentsOf: Repository.root.appendingPathComponent("experiments/leaky/pipeline.json"), encoding: .utf8)
        try harness.write("pipeline.json", data: Data(text.utf8))
        let registry = StageKinds.registry
        let pipeline = try PipelineLoader(registry: registry).load(path: harness.root.appendingPathComponent("pipeline.json").path)
        var options = BuildOptions()
        options.targets = ["gate_schema_data", "gate_dedup_data", "gate_eval_leak"]
        options.keepGoing = true
        let summary = try Executor(workspace: try Workspace(root: harness.root), pipeline: pipeline, registry: registry, output: { _ in }).build(options)
        XCTAssertEqual(summary.failed, ["gate_eval_leak"], "\(summary)")

        let reports = harness.root.appendingPathComponent("experiments/leaky/reports/gates")
        for name in ["schema_data", "dedup_data"] {
            let report = try JSONDecoder().decode(GateReport.self, from: Data(contentsOf: reports.appendingPathComponent("\(name).json")))
            XCTAssertEqual(report.status, .pass, "\(name): \(report.message)")
        }
        let leak = try JSONDecoder().decode(GateReport.self, from: Data(contentsOf: reports.appendingPathComponent("eval_leak.json")))
        XCTAssertEqual(leak.status, .fail)
        XCTAssertEqual(leak.figures["leaked_eval_prompts"], 10)
        XCTAssertEqual(Set(leak.findings.map(\.kind)), ["leak_exact", "leak_normalized", "leak_embedded"])
        XCTAssertEqual(Set(leak.findings.map(\.file)), ["experiments/leaky/data/sft_train.jsonl", "experiments/leaky/data/prompts_pref.jsonl",
                                                        "experiments/leaky/data/prompts_ppo.jsonl"])
        XCTAssertTrue(leak.findings.allSatisfy { $0.related?.file == "experiments/leaky/data/eval_prompts.jsonl" && $0.line != nil })
    }

    func testRootPipelineWiresTheGatesAndItsDataPassesThem() throws {
        let harness = try GateHarness()
        let text = try String(contentsOf: Repository.root.appendingPathComponent("pipeline.json"), encoding: .utf8)
        try harness.write("pipeline.json", data: Data(text.utf8))
        let registry = ShippedKinds.registry
        let pipeline = try PipelineLoader(registry: registry).load(path: harness.root.appendingPathComponent("pipeline.json").path)
        let guards = { (node: String) in Set(pipeline.nodes[node]!.inputs.filter { Node.isGateRole($0.key) }.map(\.value.node)) }
        XCTAssertTrue(Set(["gate_schema_data", "gate_dedup_data", "gate_eval_leak"]).isSubset(of: guards("sft")))
        XCTAssertTrue(Set(["gate_eval_leak", "gate_length_bias_prefs", "gate_dedup_prefs"]).isSubset(of: guards("reward_model")))
        XCTAssertTrue(Set(["gate_rm_quality", "gate_length_bias_rm"]).isSubset(of: guards("ppo")))
        XCTAssertEqual(guards("evaluate"), ["gate_ppo_guard"])
        XCTAssertEqual(pipeline.nodes["gate_rm_quality"]?.inputs["rm_eval"]?.description, "reward_model.report")
        var options = BuildOptions()
        options.targets = ["gate_schema_data", "gate_dedup_data", "gate_eval_leak"]
        let summary = try Executor(workspace: try Workspace(root: harness.root), pipeline: pipeline, registry: registry, output: { _ in }).build(options)
        XCTAssertTrue(summary.succeeded, "\(summary.errors)")
        XCTAssertTrue(Set(options.targets).isSubset(of: summary.built))
    }
}
