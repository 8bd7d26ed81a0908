import Foundation
import Model
import XCTest
@testable import Engine
@testable import EngineCore
@testable import Stages
@testable import Training
import TestSupport

/// Win rates with bootstrap intervals, the reward-hacking signal and the `evaluate` stage end to end.
final class EvaluateTests: XCTestCase {
    func testWinRateCountsTiesAsHalf() {
        let w = WinRate(a: "policy", b: "sft", judge: "gold", scoresA: [1, 0.5, 0.2, 0.7], scoresB: [0, 0.5, 0.9, 0.1], seed: 1)
        XCTAssertEqual(w.wins, 2)
        XCTAssertEqual(w.ties, 1)
        XCTAssertEqual(w.losses, 1)
        XCTAssertEqual(w.winRate, 2.5 / 4)
        XCTAssertLessThanOrEqual(w.ciLow, w.winRate)
        XCTAssertGreaterThanOrEqual(w.ciHigh, w.winRate)
    }

    func testBootstrapIntervalIsSeededAndShrinksWithEvidence() {
        let few = WinRate(a: "x", b: "y", judge: "rm", scoresA: [1, 1, 0, 1], scoresB: [0, 0, 1, 0], seed: 3)
        XCTAssertEqual(few, WinRate(a: "x", b: "y", judge: "rm", scoresA: [1, 1, 0, 1], scoresB: [0, 0, 1, 0], seed: 3))
        XCTAssertFalse(few.excludesHalf, "4 prompts are not enough evidence")
        let a = (0..<200).map { $0 % 4 == 0 ? 0.0 : 1.0 }, b = [Double](repeating: 0.5, count: 200)
        let many = WinRate(a: "x", b: "y", judge: "rm", scoresA: a, scoresB: b, seed: 3)
        XCTAssertEqual(many.winRate, 0.75)
        XCTAssertTrue(many.excludesHalf)
        XCTAssertEqual(many.ciLow, 0.75 - 1.96 * (0.75 * 0.25 / 200).squareRoot(), accuracy: 0.02, "close to the normal interval")
    }

    func testBootstrapResamplesWholePrompts() {
        let a = (0..<100).flatMap { _ in [1.0, 0.0] }, b = [Double](repeating: 0.5, count: 200)
        let grouped = WinRate(a: "x", b: "y", judge: "gold", scoresA: a, scoresB: b, groupSize: 2, seed: 5)
        XCTAssertEqual(grouped.winRate, 0.5)
        XCTAssertEqual(grouped.wins, 100)
        XCTAssertEqual(grouped.losses, 100)
        XCTAssertEqual(grouped.ciLow, 0.5, "every prompt's two samples split, so every resample has win rate 1/2")
        XCTAssertEqual(grouped.ciHigh, 0.5)
        let ungrouped = WinRate(a: "x", b: "y", judge: "gold", scoresA: a, scoresB: b, seed: 5)
        XCTAssertLessThan(ungrouped.ciLow, 0.45, "as 200 independent comparisons the interval is wide")
    }

    func testRewardHackingSignalInWords() {
        let hacked = RewardHackingSignal(rmPolicy: 2, rmSFT: 1, rmSpread: 0.5, goldPolicy: 0.40, goldSFT: 0.45, goldSpread: 0.2,
                                         lengthPolicy: 30, lengthSFT: 10)
        XCTAssertTrue(hacked.suspected)
        XCTAssertEqual(hacked.rmGainStandardised, 2)
        XCTAssertEqual(hacked.proxyMinusGold, 2 + 0.25, accuracy: 1e-9)
        XCTAssertTrue(hacked.verdict.hasPrefix("Reward hacking suspected"))
        XCTAssertTrue(hacked.verdict.contains("gold score fell"))
        XCTAssertTrue(hacked.verdict.contains("3.000× as long"))
        let honest = RewardHackingSignal(rmPolicy: 2, rmSFT: 1, rmSpread: 0.5, goldPolicy: 0.6, goldSFT: 0.45, goldSpread: 0.2,
                                         lengthPolicy: 10, lengthSFT: 10)
        XCTAssertFalse(honest.suspected)
        XCTAssertTrue(honest.verdict.hasPrefix("No sign of reward hacking"))
    }

    func testEvaluateStageWritesReportAndSummary() throws {
        let root = try PPOTestFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var inputs = try PPOTestFixtures.writeInputs(in: root, promptCount: 8)
        inputs["policy"] = inputs["sft"]
        inputs["base"] = inputs["sft"]
        inputs["world"] = try PPOTestFixtures.worldJudgeFile(in: root)
        let context = try PPOTestFixtures.context(node: "evaluate", workspace: root, inputs: inputs, outputs: ["report", "summary"],
                                                  params: ["max_new_tokens": .int(6), "bootstrap_resamples": .int(200),
                                                           "table_size": .int(2)])
        try EvaluateRun(context: context).run()
        let summary = try JSONDecoder().decode(FinalEvaluation.self, from: Data(contentsOf: context.outputs["summary"]!))
        XCTAssertEqual(summary.models.map(\.model), ["base", "sft", "policy"])
        XCTAssertEqual(summary.prompts, 8)
        XCTAssertEqual(summary.goldScoredPrompts, 8)
        XCTAssertEqual(summary.winRates.count, 8, "2 opponents × 2 judges × 2 orders")
        for w in summary.winRates {
            XCTAssertEqual(w.winRate, 0.5, "identical greedy models tie everywhere")
            XCTAssertEqual(w.ties, 8)
        }
        XCTAssertEqual(summary.model("policy")!.klToSFT, 0, accuracy: 1e-9, "the same weights have zero KL")
        XCTAssertEqual(summary.model("policy")!.goldMean, summary.model("sft")!.goldMean)
        XCTAssertEqual(summary.rewardHacking?.suspected, false)
        let policy = summary.model("policy")!
        let familySpread = try XCTUnwrap(policy.goldSpreadByFamily)
        XCTAssertEqual(Set(familySpread.keys), Set(policy.goldByFamily.keys), "a spread for every family with a mean")
        XCTAssertEqual(familySpread.values.map(\.count).reduce(0, +), summary.goldScoredPrompts)
        XCTAssertEqual(try XCTUnwrap(policy.goldSpreadByScenario).values.map(\.count).reduce(0, +), summary.goldScoredPrompts)
        XCTAssertEqual(summary.highestRM.count, 2)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(summary.highestRM[0].rmScore), try XCTUnwrap(summary.lowestRM[0].rmScore))
        let report = try String(contentsOf: context.outputs["report"]!, encoding: .utf8)
        for heading in ["## Models", "## Gold score per task family", "## Win rates", "## Reward hacking",
                        "## Highest RM-scored policy responses", "## Lowest RM-scored policy responses"] {
            XCTAssertTrue(report.contains(heading), "report has \(heading)")
        }
    }

    func testSampledEvaluationJudgesEverySampleAndReportsGreedy() throws {
        let root = try PPOTestFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var inputs = try PPOTestFixtures.writeInputs(in: root, promptCount: 6)
        inputs["policy"] = inputs["sft"]
        inputs["base"] = inputs["sft"]
        inputs["world"] = try PPOTestFixtures.worldJudgeFile(in: root)
        let context = try PPOTestFixtures.context(node: "evaluate", workspace: root, inputs: inputs, outputs: ["report", "summary"],
                                                  params: ["max_new_tokens": .int(5), "temperature": .double(1),
                                                           "samples_per_prompt": .int(3), "bootstrap_resamples": .int(100)])
        try EvaluateRun(context: context).run()
        let summary = try JSONDecoder().decode(FinalEvaluation.self, from: Data(contentsOf: context.outputs["summary"]!))
        XCTAssertEqual(summary.samplesPerPrompt, 3)
        XCTAssertEqual(summary.winRates.count, 12, "2 opponents × 3 judges (gold, rm, gold_greedy) × 2 orders")
        for w in summary.winRates where w.judge != "gold_greedy" {
            XCTAssertEqual(w.wins + w.ties + w.losses, 18, "6 prompts × 3 samples")
        }
        for w in summary.winRates where w.judge == "gold_greedy" {
            XCTAssertEqual(w.ties, 6, "identical weights decode identically")
        }
        let policy = try XCTUnwrap(summary.model("policy")?.greedyGold), sft = try XCTUnwrap(summary.model("sft")?.greedyGold)
        XCTAssertEqual(policy, sft)
        XCTAssertEqual(try XCTUnwrap(summary.model("sft")?.goldSpreadByScenario).values.map(\.count).reduce(0, +), 6,
                       "spreads count prompts, not samples")
        let report = try String(contentsOf: context.outputs["report"]!, encoding: .utf8)
        XCTAssertTrue(report.contains("## Gold score under greedy decoding"))
        XCTAssertTrue(report.contains("3 samples per prompt at temperature 1.000"))
    }

    func testSeveralSamplesUnderGreedyDecodingAreRejected() throws {
        let root = try PPOTestFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let inputs = try PPOTestFixtures.writeInputs(in: root, promptCount: 2)
        let context = try PPOTestFixtures.context(node: "evaluate", workspace: root, inputs: inputs, outputs: ["report", "summary"],
                                                  params: ["samples_per_prompt": .int(2)])
        XCTAssertThrowsError(try EvaluateRun(context: context).run()) { error in
            guard case let StagesError.invalidParam(_, param, message) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(param, "samples_per_prompt")
            XCTAssertTrue(message.contains("temperature above 0"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: context.outputs["summary"]!.path))
    }
}
