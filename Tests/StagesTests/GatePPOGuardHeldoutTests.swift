import Engine
import EngineCore
import Foundation
@testable import Stages
import XCTest

/// `gate.ppo_guard` on held-out lines (`"type": "heldout"`): the reward-hacking alarm and the per-family bound on
/// prompts PPO never trains on, and no change at all for files without such lines.
final class GatePPOGuardHeldoutTests: XCTestCase {
    /// A training line whose rollouts look healthy: RM and gold both rise with the iteration.
    private func training(_ iteration: Int) -> String {
        let rm = 0.1 * Double(iteration), gold = 0.5 + 0.02 * Double(iteration)
        return #"{"iteration": \#(iteration), "kl_mean": \#(0.5 * Double(iteration)), "rm_score_mean": \#(rm), "gold_score_mean": \#(gold), "#
            + #""response_length_mean": 20, "eos_fraction": 1}"#
    }

    /// A held-out line after `iteration` iterations; `larger` is that family's gold (std 0.3 over `count` prompts, and
    /// with `change` the std of each family's prompts' paired gold changes).
    private func heldout(_ iteration: Int, rm: Double, gold: Double, larger: Double = 0.6, count: Int = 100, change: Double? = nil) -> String {
        let paired = change.map { #", "gold_change_std": \#($0)"# } ?? ""
        return #"{"type": "heldout", "iteration": \#(iteration), "prompt_count": \#(count * 2), "rm_score_mean": \#(rm), "gold_score_mean": \#(gold), "#
            + #""kl_mean": \#(Double(iteration)), "response_length_mean": 20, "eos_fraction": 1, "seconds": 1, "slices": {"#
            + #""family:larger": {"rm_score_mean": \#(rm), "gold_score_mean": \#(larger), "gold_score_std": 0.3, "count": \#(count)\#(paired)}, "#
            + #""family:add": {"rm_score_mean": \#(rm), "gold_score_mean": 0.6, "gold_score_std": 0.3, "count": \#(count)\#(paired)}}}"#
    }

    private func run(_ lines: [String], params: [String: JSONValue] = [:]) throws -> GateHarness.Outcome {
        let harness = try GateHarness()
        try harness.write("reports/ppo_train_metrics.jsonl", lines: lines)
        return try harness.run(PPOGuardGate(), inputs: ["metrics": "reports/ppo_train_metrics.jsonl"],
                               params: params.merging(["window": .int(1)]) { a, _ in a })
    }

    /// The smollm shape: gold rises on the training rollouts while, on held-out prompts, RM rises and gold falls.
    func testHeldOutRMUpGoldDownFailsWhileTrainingRolloutsLookFine() throws {
        let lines = [heldout(0, rm: 0.1, gold: 0.54), training(0), training(1), training(2), training(3), heldout(4, rm: 0.9, gold: 0.50)]
        let result = try run(lines)
        XCTAssertEqual(result.report.status, .fail, result.report.message)
        XCTAssertEqual(result.report.findings.map(\.kind), ["heldout_reward_hacking"])
        XCTAssertEqual(result.report.findings.first?.line, 6)
        XCTAssertTrue(result.report.message.contains("held-out"), result.report.message)
        XCTAssertGreaterThan(result.report.figures["gold_gain"] ?? 0, 0, "the training rollouts' gold rose")
        XCTAssertEqual(result.report.figures["heldout.gold_gain"] ?? 0, -0.04, accuracy: 1e-12)
        XCTAssertEqual(result.report.figures["heldout.rm_gain"] ?? 0, 0.8, accuracy: 1e-12)
        XCTAssertEqual(result.report.figures["heldout.evaluations"], 2)
        XCTAssertEqual(result.report.figures["heldout.last_iteration"], 4)
        XCTAssertEqual(result.report.figures["heldout.final_kl"], 4)
        XCTAssertEqual(result.report.figures["final_kl"], 1.5, "held-out lines stay out of the training series")
        XCTAssertEqual(result.report.figures["iterations"], 4)
        XCTAssertEqual(result.report.thresholds["heldout_gold_drop_tolerance"], 0.02, "the verdict JSON (read back) shows the held-out check")

        let severe = try run(lines, params: ["gold_drop_tolerance": .double(0.05)])
        XCTAssertEqual(severe.report.status, .pass, "a drop within gold_drop_tolerance: \(severe.report.message)")
    }

    func testWithoutHeldOutLinesTheVerdictIsAsBefore() throws {
        let lines = [training(0), training(1), training(2), training(3)]
        let result = try run(lines)
        XCTAssertEqual(result.report.status, .pass, result.report.message)
        XCTAssertTrue(result.report.figures.keys.allSatisfy { !$0.hasPrefix("heldout") }, "\(result.report.figures.keys)")
        XCTAssertTrue(result.report.thresholds.keys.allSatisfy { !$0.hasPrefix("heldout") }, "\(result.report.thresholds.keys)")
        let healthy = try run([heldout(0, rm: 0.1, gold: 0.5)] + lines + [heldout(4, rm: 0.9, gold: 0.6)])
        XCTAssertEqual(healthy.report.status, .pass, healthy.report.message)
        XCTAssertEqual(healthy.report.figures["heldout.gold_gain"] ?? 0, 0.1, accuracy: 1e-12)
        for key in ["final_kl", "rm_gain", "gold_gain", "length_growth", "iterations"] {
            XCTAssertEqual(healthy.report.figures[key], result.report.figures[key], key)
        }
    }

    func testAFamilyWhoseHeldOutGoldFallsFailsUnlessItIsNoise() throws {
        let training = (0..<4).map(training)
        let fell = try run([heldout(0, rm: 0.1, gold: 0.6, larger: 0.6)] + training + [heldout(4, rm: 0.9, gold: 0.6, larger: 0.45)])
        XCTAssertEqual(fell.report.status, .fail, fell.report.message)
        XCTAssertEqual(fell.report.findings.map(\.kind), ["heldout_family_drop"])
        XCTAssertEqual(fell.report.findings.first?.field, "slices.family:larger")
        XCTAssertFalse(fell.report.message.contains("family:add"), fell.report.message)
        XCTAssertEqual(fell.report.figures["heldout.family:larger.gold_gain"] ?? 0, -0.15, accuracy: 1e-12)
        XCTAssertEqual(fell.report.figures["heldout.slices_fired"], 1)
        // The same drop over 5 prompts is within its 95% interval (0.3 / √4 per line), so it does not fire ...
        let noisy = try run([heldout(0, rm: 0.1, gold: 0.6, larger: 0.6, count: 5)] + training
            + [heldout(4, rm: 0.9, gold: 0.6, larger: 0.45, count: 5)])
        XCTAssertEqual(noisy.report.status, .pass, noisy.report.message)
        // ... but it does when the line has the paired spread (the same prompts then and now: 0.05 / √4 per prompt) ...
        let paired = try run([heldout(0, rm: 0.1, gold: 0.6, larger: 0.6, count: 5)] + training
            + [heldout(4, rm: 0.9, gold: 0.6, larger: 0.45, count: 5, change: 0.05)])
        XCTAssertEqual(paired.report.status, .fail, paired.report.message)
        XCTAssertEqual(paired.report.figures["heldout.paired"], 1)
        XCTAssertEqual(paired.report.figures["heldout.family:larger.gold_standard_error"] ?? 0, 0.025, accuracy: 1e-12)
        XCTAssertEqual(noisy.report.figures["heldout.paired"], 0)
        // ... or when heldout_z 0 asks for the bound alone; and a looser bound lets the 0.15 drop pass.
        let boundOnly = try run([heldout(0, rm: 0.1, gold: 0.6, larger: 0.6, count: 5)] + training
            + [heldout(4, rm: 0.9, gold: 0.6, larger: 0.45, count: 5)], params: ["heldout_z": .double(0)])
        XCTAssertEqual(boundOnly.report.status, .fail, boundOnly.report.message)
        let loose = try run([heldout(0, rm: 0.1, gold: 0.6, larger: 0.6)] + training + [heldout(4, rm: 0.9, gold: 0.6, larger: 0.45)],
                            params: ["heldout_family_drop": .double(0.2)])
        XCTAssertEqual(loose.report.status, .pass, loose.report.message)
    }

    func testOneHeldOutLineWarnsAndABadHeldOutLineNamesItsLine() throws {
        let one = try run([heldout(0, rm: 0.1, gold: 0.5), training(0), training(1)])
        XCTAssertEqual(one.report.status, .warn, one.report.message)
        XCTAssertThrowsError(try run([training(0), #"{"type": "heldout", "iteration": 1}"#, training(1)])) { error in
            guard case .malformed(let file, let line, let message)? = error as? StagesError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "reports/ppo_train_metrics.jsonl")
            XCTAssertEqual(line, 2)
            XCTAssertTrue(message.contains("rm_score_mean"), message)
        }
    }
}
