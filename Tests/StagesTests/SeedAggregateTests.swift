import EngineCore
import Foundation
@testable import Stages
@testable import Training
import XCTest
import TestSupport

/// `SeedAggregate`: the arithmetic of a replicated experiment's mean and 95% interval across seeds.
final class SeedAggregateTests: XCTestCase {
    func testMeanAndStudentTIntervalAcrossSeeds() throws {
        // The five seeds: gains 0.065, 0.093, 0.048, 0.081, 0.073; mean 0.072, s = 0.01716, t(4) = 2.776.
        let figure = SeedFigure(name: "gold_gain", perSeed: ["1234": 0.065, "11": 0.093, "22": 0.048, "44": 0.081, "55": 0.073])
        XCTAssertEqual(figure.mean, 0.072, accuracy: 1e-12)
        let s = (([0.065, 0.093, 0.048, 0.081, 0.073].map { ($0 - 0.072) * ($0 - 0.072) }.reduce(0, +)) / 4).squareRoot()
        let half = 2.776 * s / 5.0.squareRoot()
        XCTAssertEqual(try XCTUnwrap(figure.ciLow), 0.072 - half, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(figure.ciHigh), 0.072 + half, accuracy: 1e-12)
        XCTAssertLessThan(try XCTUnwrap(figure.ciHigh), 0.10, "the gain of +0.10 is outside the interval")
        XCTAssertNil(SeedFigure(name: "x", perSeed: ["1": 0.5]).ciLow, "one seed has no interval")
        XCTAssertEqual(SeedFigure.tQuantile975(degreesOfFreedom: 1), 12.706)
        XCTAssertEqual(SeedFigure.tQuantile975(degreesOfFreedom: 100), 1.96)
    }

    func testHeadlineFiguresOfEachSeed() throws {
        func model(_ name: String, gold: Double, rm: Double, family: Double) -> ModelEvaluation {
            ModelEvaluation(model: name, goldMean: gold, goldByFamily: ["repeat": family], goldByScenario: [:], greedyGold: nil, rmMean: rm, rmStd: 1,
                            goldStd: 0.2, lengthMean: 10, eosFraction: 1, klToSFT: 0)
        }
        func evaluation(policyGold: Double, repeatGold: Double) -> FinalEvaluation {
            FinalEvaluation(prompts: 10, goldScoredPrompts: 10, temperature: 1,
                            models: [model("sft", gold: 0.6, rm: 0, family: 0.7), model("policy", gold: policyGold, rm: 1, family: repeatGold)],
                            winRates: [], rewardHacking: nil, highestRM: [], lowestRM: [])
        }
        let aggregate = SeedAggregate(["1": evaluation(policyGold: 0.7, repeatGold: 0.5), "2": evaluation(policyGold: 0.66, repeatGold: 0.6)])
        XCTAssertEqual(aggregate.seeds, ["1", "2"])
        let gold = try XCTUnwrap(aggregate.figure("gold_gain"))
        XCTAssertEqual(gold.mean, 0.08, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(gold.perSeed["2"]), 0.06, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(aggregate.figure("gold_gain.family:repeat")).mean, -0.15, accuracy: 1e-12)
        XCTAssertEqual(aggregate.figure("rm_gain")?.mean, 1)
        XCTAssertNil(aggregate.figure("greedy_gold_gain"), "no greedy scores in these evaluations")
    }

    func testAggregateKindWritesSummaryAndReportAndNamesABadInput() throws {
        let root = try PPOTestFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        func evaluation(_ gold: Double) -> FinalEvaluation {
            let sft = ModelEvaluation(model: "sft", goldMean: 0.6, goldByFamily: [:], goldByScenario: [:], greedyGold: nil, rmMean: 0, rmStd: 1,
                                      goldStd: 0.2, lengthMean: 10, eosFraction: 1, klToSFT: 0)
            var policy = sft
            policy.model = "policy"
            policy.goldMean = gold
            return FinalEvaluation(prompts: 4, goldScoredPrompts: 4, temperature: 1, models: [sft, policy], winRates: [], rewardHacking: nil,
                                   highestRM: [], lowestRM: [])
        }
        var inputs: [String: URL] = [:]
        for (seed, gold) in [("seed_1", 0.7), ("seed_2", 0.8)] {
            inputs[seed] = root.appendingPathComponent("\(seed).json")
            try JSONEncoder().encode(evaluation(gold)).write(to: inputs[seed]!)
        }
        let context = try PPOTestFixtures.context(node: "aggregate", workspace: root, inputs: inputs, outputs: ["summary", "report"], params: [:])
        try AggregateKind().run(context)
        let aggregate = try JSONDecoder().decode(SeedAggregate.self, from: Data(contentsOf: context.outputs["summary"]!))
        XCTAssertEqual(aggregate.seeds, ["seed_1", "seed_2"])
        XCTAssertEqual(try XCTUnwrap(aggregate.figure("gold_gain")).mean, 0.15, accuracy: 1e-12)
        let report = try String(contentsOf: context.outputs["report"]!, encoding: .utf8)
        XCTAssertTrue(report.contains("| gold_gain | 0.150 | [-0.485, 0.785] | 0.100 | 0.200 |"), report)

        try Data("{}".utf8).write(to: inputs["seed_2"]!)
        let broken = try PPOTestFixtures.context(node: "aggregate", workspace: root, inputs: inputs, outputs: ["summary", "report"], params: [:])
        XCTAssertThrowsError(try AggregateKind().run(broken)) { error in
            XCTAssertTrue("\(error)".contains("seed_2"), "\(error)")
        }
    }
}
