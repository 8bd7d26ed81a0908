import Foundation
import Model
import XCTest
@testable import Engine
@testable import EngineCore
@testable import Stages
@testable import Training
import TestSupport

/// The `ppo` stage end to end on a tiny model: outputs, metrics, reward modes and resume.
final class PPOStageTests: XCTestCase {
    private let params: [String: JSONValue] = [
        "iterations": .int(4), "prompts_per_iteration": .int(3), "minibatch_size": .int(2), "ppo_epochs": .int(2),
        "learning_rate": .double(1e-3), "critic_learning_rate": .double(1e-3), "max_new_tokens": .int(6),
        "checkpoint_every": .int(2), "kl_control": .string("adaptive"), "kl_target": .double(0.5), "kl_horizon": .double(10),
    ]

    private func run(_ params: [String: JSONValue], workspace: URL, inputs: [String: URL],
                     afterIteration: @escaping (Int, StageContext) -> Void = { _, _ in }) throws -> StageContext {
        let context = try PPOTestFixtures.context(node: "ppo", workspace: workspace, inputs: inputs,
                                                  outputs: ["policy", "metrics", "snapshots"], params: params)
        try PPORun(context: context).run { afterIteration($0, context) }
        return context
    }

    func testWritesPolicyCriticAndOneMetricsLinePerIteration() throws {
        let root = try PPOTestFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var inputs = try PPOTestFixtures.writeInputs(in: root)
        inputs["world"] = try PPOTestFixtures.worldJudgeFile(in: root)
        var measured = params
        measured["measure_cache_speedup"] = .bool(true)
        let context = try run(measured, workspace: root, inputs: inputs)
        let policy = try Checkpoint.loadModel(from: context.outputs["policy"]!)
        XCTAssertFalse(policy.config.hasScalarHead)
        let sft = try Checkpoint.loadModel(from: inputs["sft"]!)
        XCTAssertNotEqual(policy.parameters.array(), sft.parameters.array(), "the policy trained")
        XCTAssertTrue(try Checkpoint.loadModel(from: context.outputs["policy"]!.appendingPathComponent("critic")).config.hasScalarHead)
        let lines = try String(contentsOf: context.outputs["metrics"]!, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        for key in ["rm_score_mean", "gold_score_mean", "kl_mean", "beta", "entropy", "policy_loss", "value_loss", "approx_kl",
                    "clip_fraction", "value_clip_fraction", "mean_ratio", "response_length_mean", "response_length_max",
                    "eos_fraction", "generation_seconds", "training_seconds"] {
            XCTAssertNotNil(object[key], "metrics line has \(key)")
        }
        let metrics = try PPOTestFixtures.metrics(context.outputs["metrics"]!)
        XCTAssertEqual(metrics.map(\.iteration), [0, 1, 2, 3])
        XCTAssertNotNil(metrics[0].noCacheTokensPerSecond, "the first iteration also times sampling without the KV cache")
        XCTAssertNil(metrics[1].noCacheTokensPerSecond)
        XCTAssertEqual(metrics[0].meanRatio, 1, accuracy: 0.2, "the first minibatch starts at ratio 1")
        XCTAssertEqual(context.metrics.recorded.filter { $0.name == "kl_mean" }.count, 4, "every iteration reaches the catalog")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent(".rlhf/resume/ppo").path),
                       "a finished run leaves no snapshot")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: context.outputs["snapshots"]!.path), [],
                       "snapshot_every 0: an empty snapshots directory")
    }

    func testResumeAfterInterruptionEqualsUninterruptedRun() throws {
        let root = try PPOTestFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let inputs = try PPOTestFixtures.writeInputs(in: root)
        var params = self.params
        params["snapshot_every"] = .int(1)
        let straight = try run(params, workspace: root.appendingPathComponent("a"), inputs: inputs)

        let workspace = root.appendingPathComponent("b")
        XCTAssertThrowsError(try run(params, workspace: workspace, inputs: inputs) { done, context in
            if done == 3 { context.cancel() }
        }) { error in
            XCTAssertEqual(error as? StagesError, .cancelled(node: "ppo"))
        }
        var resumedIterations: [Int] = []
        let resumed = try run(params, workspace: workspace, inputs: inputs) { done, _ in resumedIterations.append(done) }
        XCTAssertEqual(resumedIterations, [3, 4], "the rerun resumed from the snapshot after iteration 2")

        let a = try Checkpoint.loadModel(from: straight.outputs["policy"]!)
        let b = try Checkpoint.loadModel(from: resumed.outputs["policy"]!)
        XCTAssertEqual(a.parameters.array(), b.parameters.array(), "bit-identical policy")
        let criticA = try Checkpoint.loadModel(from: straight.outputs["policy"]!.appendingPathComponent("critic"))
        let criticB = try Checkpoint.loadModel(from: resumed.outputs["policy"]!.appendingPathComponent("critic"))
        XCTAssertEqual(criticA.parameters.array(), criticB.parameters.array(), "bit-identical critic")
        XCTAssertEqual(try PPOTestFixtures.metrics(straight.outputs["metrics"]!).map(\.withoutTimings),
                       try PPOTestFixtures.metrics(resumed.outputs["metrics"]!).map(\.withoutTimings))
        let names = ["iter-000001", "iter-000002", "iter-000003"]
        for context in [straight, resumed] {
            let listed = try FileManager.default.contentsOfDirectory(atPath: context.outputs["snapshots"]!.path).sorted()
            XCTAssertEqual(listed, names, "a snapshot every iteration but the last (that is the policy), kept across the resume")
        }
        for name in names {
            XCTAssertEqual(try Checkpoint.loadModel(from: straight.outputs["snapshots"]!.appendingPathComponent(name)).parameters.array(),
                           try Checkpoint.loadModel(from: resumed.outputs["snapshots"]!.appendingPathComponent(name)).parameters.array(), name)
        }
    }

    func testSelfPlayAndGroupBaselineModesRun() throws {
        let root = try PPOTestFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let inputs = try PPOTestFixtures.writeInputs(in: root)
        var selfPlay = params
        selfPlay["reward"] = .string("win_fraction")
        selfPlay["samples_per_prompt"] = .int(3)
        selfPlay["iterations"] = .int(1)
        selfPlay["missing_eos_penalty"] = .double(0)
        let wins = try PPOTestFixtures.metrics(try run(selfPlay, workspace: root, inputs: inputs).outputs["metrics"]!)
        XCTAssertEqual(wins[0].rewardMean, 0.5, accuracy: 1e-9, "win fractions average 1/2 within every group")
        var group = selfPlay
        group["reward"] = .string("group_baseline")
        let context = try run(group, workspace: root, inputs: inputs)
        let metrics = try PPOTestFixtures.metrics(context.outputs["metrics"]!)
        XCTAssertEqual(metrics[0].valueLoss, 0, "no critic in group_baseline")
        XCTAssertFalse(FileManager.default.fileExists(atPath: context.outputs["policy"]!.appendingPathComponent("critic").path))
    }

    func testSelfPlayNeedsSeveralSamplesPerPrompt() throws {
        let p = Params(node: "ppo", values: ["reward": .string("win_fraction")])
        XCTAssertThrowsError(try PPOConfig(p)) { error in
            XCTAssertEqual(error as? StagesError, .invalidParam(node: "ppo", param: "samples_per_prompt",
                message: "must be at least 2 with \"reward\": \"win_fraction\" (it compares completions of one prompt)"))
        }
    }
}
