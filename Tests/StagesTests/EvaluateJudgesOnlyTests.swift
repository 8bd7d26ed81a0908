import Foundation
import Model
import XCTest
@testable import EngineCore
@testable import Stages
@testable import Training
import TestSupport

/// `evaluate` with judges but no reward model: it reports what the wired judges can, and every RM figure is
/// absent (never zero) with the report saying why.
final class EvaluateJudgesOnlyTests: XCTestCase {
    /// Runs `evaluate` on `promptCount` world prompts with the SFT model as every model, the reward model removed.
    private func evaluate(promptCount: Int, world: Bool, params: [String: JSONValue]) throws -> (FinalEvaluation, raw: String, markdown: String) {
        let root = try PPOTestFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var inputs = try PPOTestFixtures.writeInputs(in: root, promptCount: promptCount)
        inputs["reward_model"] = nil
        inputs["policy"] = inputs["sft"]
        inputs["base"] = inputs["sft"]
        if world { inputs["world"] = try PPOTestFixtures.worldJudgeFile(in: root) }
        let context = try PPOTestFixtures.context(node: "evaluate", workspace: root, inputs: inputs, outputs: ["report", "summary"],
                                                  params: ["max_new_tokens": .int(5), "bootstrap_resamples": .int(50), "table_size": .int(3)]
                                                      .merging(params) { $1 })
        try EvaluateRun(context: context).run()
        let raw = try String(contentsOf: context.outputs["summary"]!, encoding: .utf8)
        let summary = try JSONDecoder().decode(FinalEvaluation.self, from: Data(raw.utf8))
        return (summary, raw, try String(contentsOf: context.outputs["report"]!, encoding: .utf8))
    }

    func testACommandJudgeAloneEvaluatesWithoutRMScores() throws {
        let (summary, raw, markdown) = try evaluate(promptCount: 6, world: false,
                                                    params: ["judge_cmd": .string(JudgeTests.alwaysA), "judge_batch_size": .int(8)])
        XCTAssertFalse(summary.hasRMScores)
        XCTAssertTrue(summary.models.allSatisfy { $0.rmMean == nil && $0.rmStd == nil })
        XCTAssertFalse(raw.contains("\"rm_mean\"") || raw.contains("\"rm_score\"") || raw.contains("\"rm_std\""), "absent, never zeros")
        XCTAssertEqual(Set(summary.winRates.map(\.judge)), ["command"])
        XCTAssertEqual(summary.winRates.count, 4, "2 opponents × 2 orders")
        XCTAssertEqual(summary.judges?.map(\.judge), ["command"])
        XCTAssertEqual(summary.judges?.first?.positionBias, 1, "an always-A judge changes every verdict shown both ways")
        XCTAssertEqual(summary.agreements, [], "one judge agrees with no one")
        XCTAssertNil(summary.rewardHacking)
        XCTAssertEqual(summary.highestRM, [])
        XCTAssertEqual(summary.lowestRM, [])
        XCTAssertEqual(summary.responses?["policy"]?.count, 6, "every judged response kept")
        XCTAssertTrue(summary.responses?["policy"]?.allSatisfy { $0.rmScore == nil } ?? false)
        XCTAssertEqual(summary.models.map(\.model), ["base", "sft", "policy"])
        XCTAssertTrue(summary.models.allSatisfy { $0.lengthMean >= 0 && $0.eosFraction >= 0 })
        XCTAssertTrue(markdown.contains("No reward model is wired to this evaluation"), markdown)
        XCTAssertFalse(markdown.contains("## Highest RM-scored"))
        XCTAssertTrue(markdown.contains("## Policy responses"))
    }

    func testTheWorldJudgeAloneGivesGoldWinRatesButNoHackingSignal() throws {
        let (summary, _, markdown) = try evaluate(promptCount: 6, world: true, params: [:])
        XCTAssertEqual(Set(summary.winRates.map(\.judge)), ["gold"])
        XCTAssertEqual(summary.judges?.map(\.judge), ["world"])
        XCTAssertNotNil(summary.model("policy")?.goldMean)
        XCTAssertNil(summary.model("policy")?.rmMean)
        XCTAssertNil(summary.rewardHacking, "the proxy-versus-gold signal needs RM scores")
        XCTAssertEqual(summary.sliceAlarm?.judged, false)
        XCTAssertTrue(summary.sliceAlarm?.verdict.contains("needs gold scores and RM scores") ?? false, summary.sliceAlarm?.verdict ?? "")
        XCTAssertTrue(markdown.contains("No reward model is wired"))
    }

    func testNoJudgeAtAllAndSnapshotsWithoutARewardModelAreRejectedAtLoad() {
        let kind = EvaluateKind()
        let base: Set<String> = ["prompts", "policy", "sft", "base"]
        func issues(_ roles: Set<String>, _ params: [String: JSONValue] = [:]) -> [String] {
            kind.rules.flatMap { $0.check(params, roles) }.map(\.message)
        }
        XCTAssertTrue(issues(base).contains { $0.contains("wire at least one judge") }, "\(issues(base))")
        XCTAssertEqual(issues(base.union(["labels"])), [])
        XCTAssertEqual(issues(base, ["judge_cmd": .string("true")]), [])
        XCTAssertEqual(issues(base.union(["reward_model", "snapshots"])), [])
        XCTAssertTrue(issues(base.union(["world", "snapshots"])).contains { $0.contains("no 'reward_model'") })
        XCTAssertFalse(kind.inputs!.first { $0.role == "reward_model" }!.required, "the reward model is one optional judge")
    }
}
