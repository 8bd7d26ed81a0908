import Foundation
import Model
import World
import XCTest
@testable import Engine
@testable import EngineCore
@testable import Stages
@testable import Training
import TestSupport

/// The `ppo` stage with a `heldout_prompts` input: held-out lines in the metrics at the scheduled iterations, the
/// training itself unchanged by them, and a bad held-out file named with its line.
final class PPOHeldoutStageTests: XCTestCase {
    private let params: [String: JSONValue] = [
        "iterations": .int(4), "prompts_per_iteration": .int(3), "minibatch_size": .int(3), "ppo_epochs": .int(1),
        "learning_rate": .double(1e-3), "critic_learning_rate": .double(1e-3), "max_new_tokens": .int(6), "checkpoint_every": .int(2),
    ]

    private func run(_ params: [String: JSONValue], workspace: URL, inputs: [String: URL],
                     afterIteration: @escaping (Int, StageContext) -> Void = { _, _ in }) throws -> StageContext {
        let context = try PPOTestFixtures.context(node: "ppo", workspace: workspace, inputs: inputs,
                                                  outputs: ["policy", "metrics", "snapshots"], params: params)
        try PPORun(context: context).run { afterIteration($0, context) }
        return context
    }

    /// The params plus held-out evaluations of 4 prompts after 0, 2 and 4 iterations.
    private var heldoutParams: [String: JSONValue] { params.merging(["heldout_count": .int(4), "heldout_every": .int(2)]) { a, _ in a } }
    private var root: URL!

    override func setUpWithError() throws {
        root = try PPOTestFixtures.temporaryDirectory()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: root)
    }

    /// The fixture's inputs with the world judge.
    private func judgedInputs() throws -> [String: URL] {
        var inputs = try PPOTestFixtures.writeInputs(in: root)
        inputs["world"] = try PPOTestFixtures.worldJudgeFile(in: root)
        return inputs
    }

    /// World prompts PPO never trains on, written beside the fixture's PPO prompts.
    private func heldoutFile() throws -> URL {
        var world = WorldConfig()
        world.ppoPromptCount = 12
        let url = root.appendingPathComponent("inputs/heldout.jsonl")
        try JSONLWriter.write(try World(config: world).ppoHeldoutPrompts(count: 6), to: url)
        return url
    }

    func testHeldOutLinesAreLoggedOnScheduleAndTrainingIsUnchanged() throws {
        var inputs = try judgedInputs()
        let plain = try run(params, workspace: root, inputs: inputs)
        inputs[PPOKind.heldoutRole] = try heldoutFile()
        let checked = try run(heldoutParams, workspace: root, inputs: inputs)

        let lines = try PPOTestFixtures.fileLines(checked.outputs["metrics"]!)
        XCTAssertEqual(lines.map { $0.heldout == nil ? "i" : "h" }.joined(), "hiihiih", "held-out after 0, 2 and 4 iterations, in order")
        let heldout = lines.compactMap(\.heldout)
        XCTAssertEqual(heldout.map(\.iteration), [0, 2, 4])
        XCTAssertEqual(heldout.map(\.promptCount), [4, 4, 4])
        XCTAssertTrue(heldout.allSatisfy { $0.goldScoreMean != nil && $0.slices?.isEmpty == false }, "world prompts get gold per slice")
        XCTAssertEqual(heldout[0].klMean, 0, accuracy: 1e-3, "before any update the policy is the reference")
        XCTAssertTrue(heldout[0].slices!.values.allSatisfy { $0.goldChangeStd == nil }, "the first evaluation is the baseline")
        XCTAssertTrue(heldout[2].slices!.values.allSatisfy { $0.goldChangeStd != nil }, "later ones carry each slice's paired change")
        let text = try String(contentsOf: checked.outputs["metrics"]!, encoding: .utf8)
        XCTAssertEqual(text.components(separatedBy: #""type":"heldout""#).count - 1, 3, "each held-out line is marked")
        XCTAssertEqual(checked.metrics.recorded.filter { $0.name == "heldout_gold_score_mean" }.map(\.step), [0, 2, 4])

        let before = try PPOTestFixtures.metrics(plain.outputs["metrics"]!), after = lines.compactMap(\.iteration)
        XCTAssertEqual(after.map(\.rmScoreMean), before.map(\.rmScoreMean))
        XCTAssertEqual(after.map(\.klMean), before.map(\.klMean))
        XCTAssertEqual(after.map(\.policyLoss), before.map(\.policyLoss))
        XCTAssertEqual(try Checkpoint.loadModel(from: checked.outputs["policy"]!).parameters.array(),
                       try Checkpoint.loadModel(from: plain.outputs["policy"]!).parameters.array(),
                       "sampling the held-out prompts trains nothing and draws from its own random stream")

        let guardResult = try GateHarnessRun.ppoGuard(metrics: checked.outputs["metrics"]!)
        XCTAssertEqual(guardResult.figures["heldout.evaluations"], 3)
        XCTAssertNotNil(guardResult.figures["heldout.gold_gain"])
    }

    func testAResumedRunWritesTheSameHeldOutLines() throws {
        var inputs = try judgedInputs()
        inputs[PPOKind.heldoutRole] = try heldoutFile()
        let params = heldoutParams
        let straight = try run(params, workspace: root.appendingPathComponent("a"), inputs: inputs)
        let workspace = root.appendingPathComponent("b")
        XCTAssertThrowsError(try run(params, workspace: workspace, inputs: inputs) { done, context in
            if done == 3 { context.cancel() }
        })
        let resumed = try run(params, workspace: workspace, inputs: inputs)
        func withoutSeconds(_ context: StageContext) throws -> [PPOHeldoutMetrics] {
            try PPOTestFixtures.fileLines(context.outputs["metrics"]!).compactMap(\.heldout).map { var m = $0; m.seconds = 0; return m }
        }
        XCTAssertEqual(try withoutSeconds(resumed), try withoutSeconds(straight), "the snapshot kept the held-out lines and their baseline")
        XCTAssertEqual(try withoutSeconds(resumed).map(\.iteration), [0, 2, 4])
    }

    func testABadOrTrainedOnHeldOutLineNamesTheFileAndLine() throws {
        var inputs = try PPOTestFixtures.writeInputs(in: root)
        let bad = root.appendingPathComponent("inputs/heldout.jsonl")
        try Data("{\"prompt\": \"add 2 and 3\"}\n{\"prompt\": 3}\n".utf8).write(to: bad)
        inputs[PPOKind.heldoutRole] = bad
        XCTAssertThrowsError(try run(params, workspace: root, inputs: inputs)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("heldout.jsonl:2") || (text.contains("heldout.jsonl") && text.contains("line 2")), text)
        }
        let trainingLine = try String(contentsOf: inputs["prompts"]!, encoding: .utf8).split(separator: "\n")[3]
        try Data(("{\"prompt\": \"a prompt PPO never sees\"}\n" + trainingLine + "\n").utf8).write(to: bad)
        XCTAssertThrowsError(try run(params, workspace: root, inputs: inputs)) { error in
            guard case .malformed(let file, let line, let message)? = error as? StagesError else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("heldout.jsonl"), file)
            XCTAssertEqual(line, 2)
            XCTAssertTrue(message.contains("also in the 'prompts' input"), message)
        }
        try Data("\n".utf8).write(to: bad)
        XCTAssertThrowsError(try run(params, workspace: root, inputs: inputs)) { error in
            XCTAssertTrue("\(error)".contains("heldout.jsonl: has no prompt records"), "\(error)")
        }
    }
}

/// Runs `gate.ppo_guard` on a metrics file outside a gate harness workspace.
enum GateHarnessRun {
    /// The verdict of the guard with default params over `metrics`.
    static func ppoGuard(metrics: URL) throws -> GateReport {
        let harness = try GateHarness()
        try harness.write("ppo_train_metrics.jsonl", data: Data(contentsOf: metrics))
        return try harness.run(PPOGuardGate(), inputs: ["metrics": "ppo_train_metrics.jsonl"]).report
    }
}
