import Engine
import EngineCore
import Foundation
@testable import Stages
import XCTest

/// `gate.ppo_guard`: KL bound, length growth, missing EOS and the reward-hacking alarm.
final class GatePPOGuardTests: XCTestCase {
    private func line(kl: Double, rm: Double, gold: Double?, length: Double, eos: Double) -> String {
        var text = #"{"iteration": 1, "kl": \#(kl), "rm_score": \#(rm), "response_length_mean": \#(length), "eos_fraction": \#(eos)"#
        if let gold { text += #", "gold_score": \#(gold)"# }
        return text + "}"
    }

    private func run(_ lines: [String], params: [String: JSONValue] = [:]) throws -> GateHarness.Outcome {
        let harness = try GateHarness()
        try harness.write("reports/ppo_train_metrics.jsonl", lines: lines)
        return try harness.run(PPOGuardGate(), inputs: ["metrics": "reports/ppo_train_metrics.jsonl"], params: params.merging(["window": .int(1)]) { a, _ in a })
    }

    func testHealthyRunPasses() throws {
        let result = try run([line(kl: 0, rm: 0.1, gold: 0.3, length: 20, eos: 1), line(kl: 2, rm: 0.5, gold: 0.5, length: 25, eos: 0.95)])
        XCTAssertEqual(result.report.status, .pass, result.report.message)
        XCTAssertEqual(result.report.figures["length_growth"], 1.25)
    }

    func testEachAlarmIsFoundOnTheLastLine() throws {
        let result = try run([line(kl: 0, rm: 0.1, gold: 0.5, length: 20, eos: 1), line(kl: 1, rm: 0.3, gold: 0.5, length: 30, eos: 1),
                              line(kl: 30, rm: 0.9, gold: 0.3, length: 60, eos: 0.5)])
        XCTAssertEqual(result.report.status, .fail)
        XCTAssertEqual(Set(result.report.findings.map(\.kind)), ["kl_exceeded", "length_growth", "missing_eos", "reward_hacking"])
        XCTAssertTrue(result.report.findings.allSatisfy { $0.line == 3 && $0.file == "reports/ppo_train_metrics.jsonl" })
    }

    func testBoundaries() throws {
        let lines = [line(kl: 0, rm: 0.1, gold: 0.5, length: 20, eos: 1), line(kl: 20, rm: 0.2, gold: 0.25, length: 40, eos: 0.8)]
        let at = try run(lines, params: ["gold_drop_tolerance": .double(0.25)])
        XCTAssertEqual(at.report.status, .pass, at.report.message)
        let tight = try run(lines, params: ["max_kl": .double(19.99), "max_length_growth": .double(1.99),
                                            "max_no_eos_fraction": .double(0.19), "gold_drop_tolerance": .double(0.249)])
        XCTAssertEqual(tight.report.message.components(separatedBy: "; ").count, 4, tight.report.message)
    }

    func testNoGoldMeansNoHackingAlarmAndBadLinesAreErrors() throws {
        let result = try run([line(kl: 0, rm: 0.1, gold: nil, length: 20, eos: 1), line(kl: 1, rm: 0.9, gold: nil, length: 20, eos: 1)])
        XCTAssertEqual(result.report.status, .pass)
        XCTAssertNil(result.report.figures["gold_gain"])
        XCTAssertThrowsError(try run([line(kl: 0, rm: 0, gold: 0, length: 1, eos: 1), "{oops"])) { error in
            guard case .malformed(_, let line, _)? = error as? StagesError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 2)
        }
        XCTAssertThrowsError(try run([#"{"rm_score": 1}"#]))
    }
}

/// `gate.ppo_guard`'s per-slice alarm on hand-made per-slice metrics: it fires on a regressed slice and stays quiet on noise.
final class GatePPOGuardSliceTests: XCTestCase {
    /// A metrics line whose overall gold rises while `family:repeat` has `repeatGold` (std 0.2 over `count` samples).
    private func line(_ iteration: Int, rm: Double, repeatGold: Double, count: Int) -> String {
        #"{"iteration": \#(iteration), "kl": 1, "rm_score": \#(rm), "gold_score": 0.6, "#
            + #""slices": {"family:repeat": {"rm_score_mean": \#(rm), "gold_score_mean": \#(repeatGold), "gold_score_std": 0.2, "count": \#(count)}, "#
            + #""family:reverse": {"rm_score_mean": \#(rm), "gold_score_mean": 0.7, "gold_score_std": 0.2, "count": \#(count)}}}"#
    }

    private func run(_ lines: [String]) throws -> GateHarness.Outcome {
        let harness = try GateHarness()
        try harness.write("reports/ppo_train_metrics.jsonl", lines: lines)
        return try harness.run(PPOGuardGate(), inputs: ["metrics": "reports/ppo_train_metrics.jsonl"], params: ["window": .int(2)])
    }

    func testASliceWhoseGoldFallsWhileTheRMRisesFails() throws {
        let result = try run([line(0, rm: 0.1, repeatGold: 0.7, count: 40), line(1, rm: 0.2, repeatGold: 0.7, count: 40),
                              line(2, rm: 0.8, repeatGold: 0.4, count: 40), line(3, rm: 0.9, repeatGold: 0.4, count: 40)])
        XCTAssertEqual(result.report.status, .fail, result.report.message)
        XCTAssertEqual(result.report.findings.map(\.kind), ["slice_reward_hacking"])
        XCTAssertEqual(result.report.findings.first?.field, "slices.family:repeat")
        XCTAssertEqual(result.report.findings.first?.line, 4)
        XCTAssertTrue(result.report.message.contains("family:repeat"), result.report.message)
        XCTAssertFalse(result.report.message.contains("family:reverse"), result.report.message)
        XCTAssertEqual(result.report.figures["slices_fired"], 1)
        XCTAssertEqual(try XCTUnwrap(result.report.figures["family:repeat.gold_gain"]), -0.3, accuracy: 1e-9)
    }

    func testTheSameDropOnAFewSamplesIsNoise() throws {
        // 3 samples a slice per iteration: the 95% interval of the change (±0.28) covers a 0.2 drop.
        let result = try run([line(0, rm: 0.1, repeatGold: 0.7, count: 3), line(1, rm: 0.2, repeatGold: 0.7, count: 3),
                              line(2, rm: 0.8, repeatGold: 0.5, count: 3), line(3, rm: 0.9, repeatGold: 0.5, count: 3)])
        XCTAssertEqual(result.report.status, .pass, result.report.message)
        XCTAssertEqual(result.report.figures["slices_fired"], 0)
        XCTAssertGreaterThan(try XCTUnwrap(result.report.figures["family:repeat.gold_half_width_95"]), 0.2)
    }
}
