import Charts
import Engine
import EngineCore
import Foundation
import Report
import XCTest
@testable import Stages
@testable import Training

/// The smoke pipeline replicated over seeds: shared nodes run once, each seed's clones once, the aggregate and the
/// report's spread section exist, and adding a seed runs only that seed's nodes.
final class SmokeReplicateTests: XCTestCase {
    /// The smoke pipeline with `"replicate": {"seeds": seeds}`.
    private func pipeline(seeds: [Int]) throws -> String {
        let original = try String(contentsOf: SmokePipelineTests.repository.appendingPathComponent("experiments/smoke/pipeline.json"), encoding: .utf8)
        // 40 preference prompts instead of 20, so that every seed's preference set has enough pairs for the reward model's held-out split.
        let replicated = original.replacingOccurrences(of: "\"seed\": 1234,", with: "\"seed\": 1234, \"replicate\": {\"seeds\": \(seeds)},")
            .replacingOccurrences(of: "\"preference_prompt_count\": 20,", with: "\"preference_prompt_count\": 40,")
        XCTAssertNotEqual(replicated, original)
        return replicated
    }

    private func build(_ root: URL, seeds: [Int]) throws -> (Pipeline, BuildSummary) {
        try Data(pipeline(seeds: seeds).utf8).write(to: root.appendingPathComponent("pipeline.json"))
        let pipeline = try PipelineLoader(registry: SmokePipelineTests.registry).load(path: root.appendingPathComponent("pipeline.json").path)
        let summary = try Executor(workspace: try Workspace(root: root), pipeline: pipeline, registry: SmokePipelineTests.registry, output: { _ in })
            .build(BuildOptions())
        return (pipeline, summary)
    }

    func testReplicatedSmokeSharesUnseededNodesAggregatesAndAddsASeedCheaply() throws {
        let h = try StageHarness()
        let (pipeline, first) = try build(h.root, seeds: [1234, 2])
        XCTAssertTrue(first.succeeded, "\(first.errors)")
        let clones = { (seed: UInt64) in Set(pipeline.nodes.values.filter { $0.replica?.seed == seed }.map { $0.replica!.base }) }
        XCTAssertEqual(clones(1234), clones(2))
        XCTAssertEqual(clones(1234), ["pretrain", "base_probe", "sft", "preferences", "reward_model", "ppo", "evaluate"], "the smoke pipeline's random nodes")
        let shared = Set(pipeline.nodes.values.filter { $0.replica == nil }.map(\.name)).subtracting(["evaluate_aggregate", "report"])
        XCTAssertEqual(shared, ["world", "corpus", "sft_data", "pref_prompts", "ppo_prompts", "eval_prompts"], "the pinned world and its data sets")
        XCTAssertTrue(shared.isDisjoint(with: clones(1234)), "a cloned node is not also shared")
        XCTAssertEqual(first.built.count, Set(first.built).count, "no node ran twice")
        XCTAssertEqual(Set(first.built), shared.union(clones(1234).map { "\($0)-seed1234" }).union(clones(2).map { "\($0)-seed2" })
                        .union(["evaluate_aggregate", "report"]), "every shared node once, every clone once, the aggregate and the report")

        let aggregate = try JSONDecoder().decode(SeedAggregate.self, from: Data(contentsOf: h.root.appendingPathComponent("experiments/smoke/reports/evaluate_aggregate.json")))
        XCTAssertEqual(aggregate.seeds, ["seed_2", "seed_1234"], "in numeric order")
        let gain = try XCTUnwrap(aggregate.figure("gold_gain"))
        XCTAssertEqual(gain.perSeed.count, 2)
        XCTAssertNotNil(gain.ciLow)
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.root.appendingPathComponent("experiments/smoke/seeds/2/reports/final_eval.json").path))
        let html = try String(contentsOf: h.root.appendingPathComponent("reports/smoke/index.html"), encoding: .utf8)
        let page = ReportXHTML(html)
        XCTAssertNil(page.error, "\(String(describing: page.error))")
        XCTAssertEqual(page.row("seed-aggregate", exactly: "gold_gain")?[1], Markup.number(gain.mean), "the report shows the aggregate's mean")
        XCTAssertTrue(html.contains("<code>evaluate-seed1234</code>"), "the sections show the first seed's run")
        XCTAssertEqual(page.row("node-states", exactly: "ppo-seed2")?[2], "built", "the node table names the clones")
        let summary = try String(contentsOf: h.root.appendingPathComponent("reports/smoke/summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("## Across seeds") && summary.contains("| gold_gain | \(Markup.number(gain.mean)) |"), summary)

        let (_, added) = try build(h.root, seeds: [1234, 2, 4])
        XCTAssertTrue(added.succeeded, "\(added.errors)")
        XCTAssertEqual(Set(added.built), Set(clones(1234).map { "\($0)-seed4" }).union(["evaluate_aggregate", "report"]),
                       "adding a seed runs only its clones, the aggregate and the report")
        XCTAssertEqual(Set(added.upToDate), shared.union(clones(1234).map { "\($0)-seed1234" }).union(clones(2).map { "\($0)-seed2" }))
        let three = try JSONDecoder().decode(SeedAggregate.self, from: Data(contentsOf: h.root.appendingPathComponent("experiments/smoke/reports/evaluate_aggregate.json")))
        XCTAssertEqual(three.seeds, ["seed_2", "seed_4", "seed_1234"])
    }
}
