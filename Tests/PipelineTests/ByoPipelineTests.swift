import Engine
import EngineCore
import Foundation
import Report
import XCTest
@testable import Stages
@testable import Training
import TestSupport

/// `experiments/byo` at tiny sizes: user data in TRL formats, no world, two judges (the reward model and
/// the rule-based command judge), end to end through the engine.
final class ByoPipelineTests: XCTestCase {
    static let registry = ShippedKinds.registry

    /// The byo pipeline with every size shrunk so it builds in seconds.
    static func tinyPipeline() throws -> String {
        let url = Repository.root.appendingPathComponent("experiments/byo/pipeline.json")
        var root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var nodes = try XCTUnwrap(root["nodes"] as? [String: [String: Any]])
        let tiny: [String: [String: Any]] = [
            "pretrain": ["model": ["hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2,
                                   "num_key_value_heads": 1, "max_position_embeddings": 256],
                         "steps": 3, "batch_size": 4, "seq_len": 32, "warmup_steps": 1],
            "sft": ["steps": 3, "batch_size": 4, "warmup_steps": 1, "eval_every": 3, "max_new_tokens": 6],
            "reward_model": ["epochs": 0.05, "batch_size": 4, "heldout_fraction": 0.5, "prompt_count": 3, "fresh_k": 2, "max_new_tokens": 6],
            "ppo": ["iterations": 2, "prompts_per_iteration": 4, "minibatch_size": 2, "ppo_epochs": 1, "max_new_tokens": 6, "checkpoint_every": 1],
            "gate_ppo_guard": ["window": 1],
            "evaluate": ["samples_per_prompt": 1, "max_new_tokens": 6, "bootstrap_resamples": 50, "table_size": 2],
        ]
        for (name, params) in tiny {
            var node = try XCTUnwrap(nodes[name])
            var merged = node["params"] as? [String: Any] ?? [:]
            for (key, value) in params { merged[key] = value }
            node["params"] = merged
            nodes[name] = node
        }
        root["nodes"] = nodes
        return String(decoding: try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Lines kept of each data file at tiny size.
    static let tinyLines = ["sft.jsonl": 40, "preferences.jsonl": 40, "prompts_ppo.jsonl": 12, "eval_prompts.jsonl": 10, "corpus.txt": 40]

    /// A workspace holding the judge and the first lines of the byo data at their repository paths.
    private func workspace() throws -> StageHarness {
        let h = try StageHarness()
        let target = h.root.appendingPathComponent("experiments/byo")
        try FileManager.default.createDirectory(at: target.appendingPathComponent("dataset"), withIntermediateDirectories: true)
        let source = Repository.root.appendingPathComponent("experiments/byo")
        try FileManager.default.copyItem(at: source.appendingPathComponent("judge.sh"), to: target.appendingPathComponent("judge.sh"))
        for (file, count) in Self.tinyLines {
            let lines = try String(contentsOf: source.appendingPathComponent("dataset/" + file), encoding: .utf8).split(separator: "\n")
            XCTAssertGreaterThan(lines.count, count, file)
            try Data((lines.prefix(count).joined(separator: "\n") + "\n").utf8).write(to: target.appendingPathComponent("dataset/" + file))
        }
        try Data(try Self.tinyPipeline().utf8).write(to: h.root.appendingPathComponent("pipeline.json"))
        return h
    }

    private func build(_ root: URL) throws -> BuildSummary {
        let pipeline = try PipelineLoader(registry: Self.registry).load(path: root.appendingPathComponent("pipeline.json").path)
        return try Executor(workspace: try Workspace(root: root), pipeline: pipeline, registry: Self.registry, output: { _ in }).build(BuildOptions())
    }

    private func json(_ root: URL, _ path: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("experiments/byo/" + path))) as? [String: Any])
    }

    func testByoBuildsEndToEndWithoutTheWorldAndAFailingJudgeRegistersNothing() throws {
        let h = try workspace()
        let first = try build(h.root)
        XCTAssertTrue(first.succeeded, "\(first.errors)")

        let sft = try json(h.root, "reports/sft_eval.json")
        XCTAssertNil(sft["eval"], "no gold without a world judge")
        XCTAssertNotNil((sft["format"] as? [String: Any])?["format_adherence"])
        XCTAssertEqual((sft["samples"] as? [Any])?.count, 8)

        let rm = try json(h.root, "reports/rm_eval.json")
        XCTAssertNil(rm["gold_agreement"])
        XCTAssertNotNil((rm["judge_agreement"] as? [String: Any])?["command"], "agreement with the command judge on fresh pairs")
        XCTAssertEqual(rm["data_margin"] as? Double, 0.1)

        // Conversational pairs keep their system message and earlier turns, written back as TRL message lists.
        let pairs = try String(contentsOf: h.root.appendingPathComponent("experiments/byo/data/pref_train.jsonl"), encoding: .utf8)
        XCTAssertTrue(pairs.contains(#""role":"system"}"#), pairs)
        XCTAssertTrue(pairs.contains(#""role":"assistant"},{"content":"#), "an earlier assistant turn inside a prompt")

        let ppo = try PPOTestFixtures.metrics(h.root.appendingPathComponent("experiments/byo/reports/ppo_train_metrics.jsonl"))
        XCTAssertEqual(ppo.count, 2)
        XCTAssertTrue(ppo.allSatisfy { $0.goldScoreMean == nil }, "no gold metrics without a world judge")

        let final = try JSONDecoder().decode(FinalEvaluation.self, from: Data(contentsOf: h.root.appendingPathComponent("experiments/byo/reports/final_eval.json")))
        XCTAssertEqual(final.prompts, 10)
        XCTAssertEqual(final.goldScoredPrompts, 0)
        XCTAssertTrue(final.models.allSatisfy { $0.goldMean == nil && $0.goldStd == nil }, "absent gold is never shown as zeros")
        XCTAssertNil(final.rewardHacking)
        let raw = try String(contentsOf: h.root.appendingPathComponent("experiments/byo/reports/final_eval.json"), encoding: .utf8)
        XCTAssertFalse(raw.contains("\"gold_mean\""))
        XCTAssertEqual(Set(final.winRates.map(\.judge)), ["rm", "command"])
        let command = try XCTUnwrap(final.judges?.first { $0.judge == "command" })
        XCTAssertEqual(command.pairs, 20, "policy vs SFT and vs base on 10 prompts")
        XCTAssertEqual(command.positionChecks, 10)
        XCTAssertNotNil(command.positionBias)
        XCTAssertEqual(command.verdicts?.count, 30)
        XCTAssertTrue(command.verdicts?.allSatisfy { $0.reason?.hasPrefix("A ") == true } ?? false, "every reason kept")
        XCTAssertTrue(final.agreements?.contains { $0.a == "reward_model" && $0.b == "command" } ?? false)
        let markdown = try String(contentsOf: h.root.appendingPathComponent("experiments/byo/reports/final_eval.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("## Judges") && markdown.contains("no world judge"), markdown)
        let page = try String(contentsOf: h.root.appendingPathComponent("reports/byo/index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("Judges"))
        XCTAssertTrue(page.contains("Greedy answers to the first eval prompts"), "the SFT sample table")

        // A judge that crashes fails the nodes that use it; their earlier runs stay the heads.
        let catalog = try Workspace(root: h.root).catalog
        let heads = try catalog.heads(experiment: "byo")
        try Data("#!/usr/bin/env bash\necho 'judge service unavailable' >&2\nexit 7\n".utf8)
            .write(to: h.root.appendingPathComponent("experiments/byo/judge.sh"))
        let second = try build(h.root)
        XCTAssertFalse(second.succeeded)
        let error = second.errors["reward_model"] ?? "\(second.errors)"
        XCTAssertTrue(error.contains("command judge: the program exited with status 7: judge service unavailable"), error)
        let after = try catalog.heads(experiment: "byo")
        XCTAssertEqual(after["reward_model"]?.runId, heads["reward_model"]?.runId, "nothing registered")
        XCTAssertEqual(after["evaluate"]?.runId, heads["evaluate"]?.runId)
    }
}
