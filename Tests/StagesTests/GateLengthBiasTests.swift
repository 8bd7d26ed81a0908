import Engine
import EngineCore
import Foundation
@testable import Stages
@testable import Training
import XCTest

/// `gate.length_bias`: preference-set statistics, reward-model figures, and their thresholds.
final class GateLengthBiasTests: XCTestCase {
    private func pairs(_ lengths: [(Int, Int)]) -> [String] {
        lengths.map { #"{"prompt": "p", "chosen": "\#(String(repeating: "c", count: $0.0))", "rejected": "\#(String(repeating: "r", count: $0.1))"}"# }
    }

    func testBalancedPreferencesPass() throws {
        let harness = try GateHarness()
        try harness.write("d/pref.jsonl", lines: pairs([(10, 20), (20, 10), (15, 15), (30, 40), (40, 30), (12, 12)]))
        let result = try harness.run(LengthBiasGate(), inputs: ["preferences": "d/pref.jsonl"])
        XCTAssertEqual(result.report.status, .pass, result.report.message)
        XCTAssertEqual(result.report.figures["chosen_longer_fraction"], 0.5)
        XCTAssertEqual(result.report.figures["length_matched_pairs"], 2)
    }

    func testLongerChosenFailsAndListsTheLines() throws {
        let harness = try GateHarness()
        try harness.write("d/pref.jsonl", lines: pairs([(10, 5), (30, 10), (20, 19), (50, 10)]))
        let result = try harness.run(LengthBiasGate(), inputs: ["preferences": "d/pref.jsonl"])
        XCTAssertEqual(result.report.status, .fail)
        XCTAssertEqual(result.report.figures["chosen_longer_fraction"], 1)
        XCTAssertEqual(result.report.figures["median_length_ratio"]!, (2 + 3) / 2, accuracy: 1e-12)
        XCTAssertGreaterThan(result.report.figures["point_biserial"]!, 0.3)
        XCTAssertEqual(result.findings("chosen_longer").map(\.line), [4, 2, 1, 3])
        XCTAssertEqual(result.findings("chosen_longer").first?.file, "d/pref.jsonl")
    }

    func testChosenLongerFractionAtItsBoundary() throws {
        let harness = try GateHarness()
        try harness.write("d/pref.jsonl", lines: pairs([(11, 10), (11, 10), (11, 10), (10, 11)]))
        let params: [String: JSONValue] = ["max_point_biserial": .double(1)]
        let at = try harness.run(LengthBiasGate(), inputs: ["preferences": "d/pref.jsonl"],
                                 params: params.merging(["max_chosen_longer_fraction": .double(0.75)]) { $1 })
        XCTAssertEqual(at.report.status, .pass)
        let below = try harness.run(LengthBiasGate(), inputs: ["preferences": "d/pref.jsonl"],
                                    params: params.merging(["max_chosen_longer_fraction": .double(0.74)]) { $1 })
        XCTAssertEqual(below.report.status, .fail)
    }

    func testGoldAgreementOnLengthMatchedWorldPairs() throws {
        let harness = try GateHarness()
        // Length-matched pairs where the chosen answer is wrong: the preference does not survive.
        try harness.write("d/pref.jsonl", lines: [#"{"prompt": "what is 12 plus 30?", "chosen": "41", "rejected": "42"}"#,
                                                  #"{"prompt": "what is 12 plus 31?", "chosen": "42", "rejected": "43"}"#,
                                                  #"{"prompt": "what is 2 plus 2?", "chosen": "4", "rejected": "5"}"#])
        let result = try harness.run(LengthBiasGate(), inputs: ["preferences": "d/pref.jsonl"])
        XCTAssertEqual(result.report.figures["length_matched_gold_pairs"], 3)
        XCTAssertEqual(result.report.figures["length_matched_gold_agreement"]!, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(result.report.status, .fail)
        let lenient = try harness.run(LengthBiasGate(), inputs: ["preferences": "d/pref.jsonl"],
                                      params: ["min_matched_agreement": .double(1.0 / 3)])
        XCTAssertEqual(lenient.report.status, .pass, lenient.report.message)
    }

    func testRewardModelModeReadsTheEvalArtifact() throws {
        let harness = try GateHarness()
        try harness.write("r/rm_eval.json", data: Data(#"{"heldout_accuracy": 0.8, "spearman_reward_length": 0.5, "length_balanced_accuracy": 0.55}"#.utf8))
        let at = try harness.run(LengthBiasGate(), inputs: ["rm_eval": "r/rm_eval.json"], params: ["mode": .string("reward_model")])
        XCTAssertEqual(at.report.status, .pass, at.report.message)
        XCTAssertEqual(at.report.figures["spearman_reward_length"], 0.5)
        try harness.write("r/rm_eval.json", data: Data(#"{"length": {"spearman": -0.51}, "length_balanced_accuracy": 0.54}"#.utf8))
        let over = try harness.run(LengthBiasGate(), inputs: ["rm_eval": "r/rm_eval.json"], params: ["mode": .string("reward_model")])
        XCTAssertEqual(over.report.status, .fail)
        XCTAssertEqual(over.report.message.components(separatedBy: "; ").count, 2)
        try harness.write("r/rm_eval.json", data: Data(#"{"accuracy": 0.8}"#.utf8))
        XCTAssertThrowsError(try harness.run(LengthBiasGate(), inputs: ["rm_eval": "r/rm_eval.json"], params: ["mode": .string("reward_model")]))
    }

    func testRewardFiguresFromScores() {
        let records = [("aaaa", "bbbb"), ("aaaaaaaa", "b"), ("aa", "bb")].enumerated().map { index, pair in
            GateRecord(line: index + 1, fields: [("prompt", "p"), ("chosen", pair.0), ("rejected", pair.1)])
        }
        let figures = LengthBiasGate.rewardFigures(records, rewards: [(4, 3.9), (8, 1), (2, 2.1)], settings: .init())
        XCTAssertEqual(figures.pairs, 2)
        XCTAssertEqual(figures.balanced, 0.5)
        XCTAssertGreaterThan(figures.spearman, 0.9)
    }
}
