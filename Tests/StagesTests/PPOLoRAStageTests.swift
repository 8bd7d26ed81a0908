import EngineCore
import Foundation
import Logging
import Model
@testable import Stages
@testable import Training
import TestSupport
import XCTest

/// LoRA PPO through the stages on the tiny ChatML GGUF fixture (BPE tokenizer): import → LoRA SFT → LoRA reward model
/// on the SFT adapter → PPO with a LoRA policy, the reward model as an adapter on the policy's base and a value head on
/// the frozen trunk.
final class PPOLoRAStageTests: XCTestCase {
    private let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("GGUFTests/Fixtures/tiny_llama.gguf")

    /// The ppo params of the smoke run.
    private let ppoParams: [String: JSONValue] = [
        "iterations": .int(2), "prompts_per_iteration": .int(2), "minibatch_size": .int(2), "ppo_epochs": .int(1),
        "max_new_tokens": .int(3), "learning_rate": .double(0.01), "critic_learning_rate": .double(0.01),
        "lora": .object(["r": .int(2), "alpha": .int(4)]), "critic": .string("head"),
    ]

    func testLoRAPPOSmokeOnTheTinyBPEModelScoresWithTheRewardAdapterOnTheSameBase() throws {
        let harness = try StageHarness()
        let source = harness.root.appendingPathComponent("tiny.gguf")
        try FileManager.default.copyItem(at: fixture, to: source)
        let base = try harness.run(ImportKind(), node: "base", inputs: ["checkpoint": source])["model"]!
        let words = ["red", "blue", "green", "cat", "dog", "sun"]
        let sftData = try harness.file("sft.jsonl", (0..<12).map { "{\"prompt\": \"say \(words[$0 % 6]) \($0)\", \"response\": \"\(words[$0 % 6])\"}" }
            .joined(separator: "\n") + "\n")
        let prompts = try harness.file("prompts.jsonl", words.map { "{\"prompt\": \"say \($0)\"}" }.joined(separator: "\n") + "\n")
        let prefs = try harness.file("prefs.jsonl", (0..<16).map {
            "{\"prompt\": \"name \(words[$0 % 6])\", \"chosen\": \"\(words[$0 % 6])\", \"rejected\": \"\(words[($0 + 2) % 6]) no\"}"
        }.joined(separator: "\n") + "\n")
        let sft = try harness.run(SFTKind(), node: "sft", inputs: ["base": base, "data": sftData, "eval_prompts": prompts],
                                  params: ["steps": .int(3), "batch_size": .int(4), "learning_rate": .double(0.02), "eval_every": .int(3),
                                           "max_new_tokens": .int(3), "validation_fraction": .double(0.2), "lora": .object(["r": .int(2)])])["model"]!
        let rm = try harness.run(RewardModelKind(), node: "rm", inputs: ["backbone": sft, "backbone_base": base, "data": prefs],
                                 params: ["steps": .int(3), "batch_size": .int(4), "learning_rate": .double(0.01),
                                          "heldout_fraction": .double(0.3), "lora": .object(["r": .int(2)])])["model"]!
        let inputs = ["sft": sft, "sft_base": base, "reward_model": rm, "reward_model_base": base, "prompts": prompts]
        let metrics = MetricsSink()
        let out = try harness.run(PPOKind(), node: "ppo", inputs: inputs, params: ppoParams, metrics: metrics)

        let policy = out["policy"]!
        XCTAssertTrue(ModelFiles.isAdapter(policy), "a LoRA policy is written as a PEFT adapter, not full weights")
        XCTAssertTrue(ModelFiles.isAdapter(policy.appendingPathComponent("parent")), "on top of the SFT adapter")
        XCTAssertTrue(FileManager.default.fileExists(atPath: policy.appendingPathComponent("critic/value_head.safetensors").path))
        for name in ["rollout_seconds", "scoring_seconds", "update_seconds"] {
            XCTAssertEqual(metrics.recorded.filter { $0.name == name }.count, 2, name)
        }
        XCTAssertGreaterThan(metrics.recorded.first { $0.name == "peak_rss_mb" }?.value ?? 0, 0)

        // Held-out prompts: sampled with the policy's adapter, scored with the reward adapter and the adapter switched off,
        // and the policy's adapter is back in place for training (the same adapter as without them).
        let heldout = try harness.file("heldout.jsonl", ["name a colour", "say hello", "pick one"].map { "{\"prompt\": \"\($0)\"}" }
            .joined(separator: "\n") + "\n")
        let checked = try harness.run(PPOKind(), node: "ppo_heldout", inputs: inputs.merging(["heldout_prompts": heldout]) { a, _ in a },
                                      params: ppoParams.merging(["heldout_count": .int(3)]) { a, _ in a })
        let lines = try PPOTestFixtures.fileLines(checked["metrics"]!)
        XCTAssertEqual(lines.compactMap(\.heldout).map(\.iteration), [0, 2])
        XCTAssertEqual(lines.compactMap(\.heldout).first?.klMean ?? 1, 0, accuracy: 1e-3, "a fresh adapter (B = 0) is the reference")
        XCTAssertNil(lines.compactMap(\.heldout).first?.goldScoreMean, "no world judge, no gold")
        XCTAssertEqual(try Data(contentsOf: checked["policy"]!.appendingPathComponent(LoRAAdapter.weightsFileName)),
                       try Data(contentsOf: policy.appendingPathComponent(LoRAAdapter.weightsFileName)))

        // The reward model runs as its adapter and head on the policy's base, and scores as the whole reward model does.
        let context = StageContext(node: "ppo", workspace: harness.root, inputs: inputs, outputs: [:], params: ppoParams, seed: 1,
                                   logger: Logger(label: "ppo"), metrics: MetricsSink(),
                                   progress: ProgressReporter(label: "ppo", isTerminal: false, write: { _ in }), scratch: harness.root)
        let loaded = try PPORun(context: context).loadModels(try PPOConfig(PPOKind().checkedParams(context)))
        guard case .adapter = loaded.trainer.rewardModel else { return XCTFail("the reward model should share the policy's base") }
        XCTAssertNotNil(loaded.trainer.criticHead)
        let sequences: [[Int32]] = [[1, 40, 50, 60], [1, 70]], responses: [[Int32]] = [[2], [80, 2]]
        let whole = try ModelFiles.loadInput(context, role: "reward_model").model
        let expected = try whole.forward(try Batch(sequences: zip(sequences, responses).map { $0 + $1 }, padToken: whole.config.padTokenId)).scores
        guard case .adapter(let lora, let head) = loaded.trainer.rewardModel else { return }
        let got = try loaded.trainer.withActorAdapter(lora) {
            try ModelScoring.scores(loaded.trainer.actor, scoreHead: head, prompts: sequences, responses: responses, chunk: 2)
        }
        for (x, y) in zip(got, expected) { XCTAssertEqual(x, Double(y), accuracy: 1e-4 * max(1, abs(Double(y)))) }
    }
}
