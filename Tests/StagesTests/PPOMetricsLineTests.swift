import Foundation
import XCTest
@testable import Engine
@testable import EngineCore
@testable import Stages
@testable import Training

/// `ppo_train_metrics.jsonl` lines: our names, the diagnostics and TRL's names for the same figures.
final class PPOMetricsLineTests: XCTestCase {
    func testLineCarriesTRLAliasesEqualToOurFigures() throws {
        var metrics = ReportFixtures.ppoLines(4)[3]
        metrics.diagnostics = ReportSeriesTests.diagnosedLines(4)[3].diagnostics
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(PPOMetricsLine(metrics)), as: UTF8.self)
        XCTAssertTrue(text.contains("\"objective/kl\":"), "slashes are not escaped: \(text)")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let expected: [String: Double] = [
            "objective/kl": metrics.klMean, "objective/scores": metrics.rewardMean,
            "objective/non_score_reward": -metrics.beta * metrics.klMean,
            "objective/rlhf_reward": metrics.rewardMean - metrics.beta * metrics.klMean,
            "policy/entropy_avg": metrics.entropy, "policy/approxkl_avg": metrics.approxKL, "policy/clipfrac_avg": metrics.clipFraction,
            "loss/policy_avg": metrics.policyLoss, "loss/value_avg": metrics.valueLoss, "val/clipfrac_avg": metrics.valueClipFraction,
            "val/ratio": metrics.meanRatio, "lr": 1e-5,
            "kl_mean": metrics.klMean, "grad_norm": 4, "explained_variance": 0.30000000000000004, "advantage_max": 4,
            "non_score_reward_mean": -metrics.beta * metrics.klMean,
        ]
        for (key, value) in expected {
            XCTAssertEqual(try XCTUnwrap(object[key] as? Double, key), value, accuracy: 1e-12, key)
        }
        let decoded = try JSONDecoder().decode(PPOMetricsLine.self, from: Data(text.utf8))
        XCTAssertEqual(decoded.metrics, metrics, "diagnostics read back from the flat keys")
        let old = try JSONDecoder().decode(PPOMetricsLine.self, from: try JSONEncoder().encode(ReportFixtures.ppoLines(1)[0]))
        XCTAssertNil(old.metrics.diagnostics, "a line written before diagnostics reads without them")
        let nested = try JSONDecoder().decode(PPOIterationMetrics.self, from: try JSONEncoder().encode(metrics))
        XCTAssertEqual(nested, metrics, "the resume state keeps the diagnostics (nested)")
    }

    func testPPOStageWritesDiagnosticsAndAliases() throws {
        let root = try PPOTestFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let inputs = try PPOTestFixtures.writeInputs(in: root)
        let params: [String: JSONValue] = ["iterations": .int(2), "prompts_per_iteration": .int(2), "minibatch_size": .int(2), "ppo_epochs": .int(1),
                                           "learning_rate": .double(1e-3), "critic_learning_rate": .double(2e-3), "max_new_tokens": .int(5)]
        let context = try PPOTestFixtures.context(node: "ppo", workspace: root, inputs: inputs, outputs: ["policy", "metrics", "snapshots"], params: params)
        try PPORun(context: context).run { _ in }
        let lines = try String(contentsOf: context.outputs["metrics"]!, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        for line in lines {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(object["lr"] as? Double, 1e-3)
            XCTAssertEqual(object["critic_learning_rate"] as? Double, 2e-3)
            XCTAssertGreaterThan(try XCTUnwrap(object["grad_norm"] as? Double), 0, "the actor had a gradient")
            XCTAssertNil(object["diagnostics"], "diagnostics are flat keys, not nested")
            XCTAssertNotNil(object["explained_variance"], "a critic run has an explained variance")
            XCTAssertLessThanOrEqual(try XCTUnwrap(object["explained_variance"] as? Double), 1)
            XCTAssertEqual(object["objective/kl"] as? Double, object["kl_mean"] as? Double)
            XCTAssertEqual(object["policy/clipfrac_avg"] as? Double, object["clip_fraction"] as? Double)
            let advantageMin = try XCTUnwrap(object["advantage_min"] as? Double), advantageMax = try XCTUnwrap(object["advantage_max"] as? Double)
            let advantageMean = try XCTUnwrap(object["advantage_mean"] as? Double)
            XCTAssertTrue(advantageMin <= advantageMean && advantageMean <= advantageMax)
        }
        XCTAssertEqual(context.metrics.recorded.filter { $0.name == "grad_norm" }.count, 2, "diagnostics reach the catalog")
    }

    func testExplainedVarianceIsOneForAPerfectCriticAndZeroForTheMean() throws {
        let returns = [1.0, 2, 3, 4]
        XCTAssertEqual(try XCTUnwrap(PPODiagnostics.explainedVariance(values: returns, returns: returns)), 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(PPODiagnostics.explainedVariance(values: Array(repeating: 2.5, count: 4), returns: returns)), 0, accuracy: 1e-12)
        XCTAssertNil(PPODiagnostics.explainedVariance(values: [0, 1], returns: [3, 3]), "constant returns: undefined")
    }
}
