import Foundation
import XCTest
import Report
import Stages
import Training

/// Artifact files in the formats the real stages write, for report tests.
package enum ReportFixtures {
    /// PPO metric lines with known values (iteration i: RM score 0.1·i, KL 0.5·i, …).
    package static func ppoLines(_ count: Int) -> [PPOIterationMetrics] {
        (0..<count).map { i in
            let x = Double(i)
            return PPOIterationMetrics(iteration: i, rmScoreMean: 0.1 * x, goldScoreMean: 0.5 + 0.01 * x, rewardMean: 0.1 * x - 0.05, klMean: 0.5 * x,
                                       beta: 0.05 + 0.001 * x, entropy: 2 - 0.05 * x, policyLoss: -0.01 * x, valueLoss: 0.2, approxKL: 0.002 * x,
                                       clipFraction: 0.01 * x, valueClipFraction: 0.005 * x, meanRatio: 1.0, responseLengthMean: 10 + x,
                                       responseLengthMax: 20 + i, eosFraction: 0.9, generationSeconds: 0.3, trainingSeconds: 0.4,
                                       rolloutTokensPerSecond: 800, noCacheTokensPerSecond: nil)
        }
    }

    /// PPO lines with diagnostics: iteration i has grad norm 1 + i, explained variance 0.1·i, advantage mean −0.01·i
    /// (decoded from the metrics line's flat keys, as the report reads them).
    package static func diagnosedLines(_ count: Int) throws -> [PPOIterationMetrics] {
        try ReportFixtures.ppoLines(count).map { line in
            var copy = line
            let x = Double(line.iteration)
            let keys: [String: Double] = [
                "learning_rate": 1e-5, "critic_learning_rate": 2e-5, "grad_norm": 1 + x, "advantage_mean": -0.01 * x, "advantage_std": 0.3,
                "advantage_min": -1 - x, "advantage_max": 1 + x, "value_mean": 0.2 * x, "value_std": 0.1, "return_mean": 0.25 * x,
                "return_std": 0.2, "explained_variance": 0.1 * x,
            ]
            copy.diagnostics = try JSONDecoder().decode(PPODiagnostics.self, from: JSONEncoder().encode(keys))
            return copy
        }
    }

    /// The JSON Lines text of `lines`.
    package static func jsonl(_ lines: [PPOIterationMetrics]) throws -> String {
        try lines.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n"
    }

    /// An `sft_eval.json` in the `sft` stage's format (loss points, gold report of SFT and baseline).
    package static let sftEval = """
    {"train_examples": 90, "validation_examples": 10, "train_seconds": 12.5,
     "train_loss": [{"step": 1, "loss": 2.5}, {"step": 2, "loss": 2.1}, {"step": 3, "loss": 1.7}, {"step": 4, "loss": 1.4}, {"step": 5, "loss": 1.2}, {"step": 6, "loss": 1.1}],
     "validation_loss": [{"step": 2, "loss": 2.2}, {"step": 4, "loss": 1.6}, {"step": 6, "loss": 1.35}],
     "eval": {"overall": {"count": 40, "mean_gold": 0.612, "correct_rate": 0.55, "format_ok_rate": 0.97},
              "by_family": {"reverse": {"count": 20, "mean_gold": 0.7, "correct_rate": 0.6, "format_ok_rate": 1}, "add": {"count": 20, "mean_gold": 0.52, "correct_rate": 0.5, "format_ok_rate": 0.95}},
              "by_scenario": {}, "format_adherence": 0.97, "eos_rate": 0.98, "role_marker_rate": 0, "mean_length": 11.5},
     "baseline": {"overall": {"count": 40, "mean_gold": 0.12, "correct_rate": 0.05, "format_ok_rate": 0.2},
              "by_family": {"reverse": {"count": 20, "mean_gold": 0.1, "correct_rate": 0.05, "format_ok_rate": 0.2}, "add": {"count": 20, "mean_gold": 0.14, "correct_rate": 0.05, "format_ok_rate": 0.2}},
              "by_scenario": {}, "format_adherence": 0.2, "eos_rate": 0.3, "role_marker_rate": 0.4, "mean_length": 40}}
    """

    /// An `rm_eval.json` in the `reward_model` stage's format.
    package static let rmEval = """
    {"train_pairs": 400, "train_loss": [{"step": 1, "loss": 0.69}, {"step": 2, "loss": 0.6}, {"step": 3, "loss": 0.52}],
     "heldout": {"pairs": 50, "accuracy": 0.81, "mean_margin": 0.742}, "length_matched": {"pairs": 20, "accuracy": 0.7, "mean_margin": 0.3},
     "calibration": {"bins": [{"lower": 0.5, "upper": 0.6, "count": 40, "mean_predicted": 0.55, "observed": 0.52},
                              {"lower": 0.6, "upper": 0.8, "count": 30, "mean_predicted": 0.7, "observed": 0.66},
                              {"lower": 0.8, "upper": 1.0, "count": 20, "mean_predicted": 0.9, "observed": 0.84}], "ece": 0.043},
     "gold_agreement": {"pairs": 60, "accuracy": 0.78, "mean_margin": 0.5}, "spearman_reward_length": 0.12, "spearman_reward_length_fresh": 0.1,
     "spearman_reward_gold_fresh": 0.6, "reward_mean": 0.1, "reward_std": 1.1, "margin": 0, "centring": 0.01, "train_seconds": 20}
    """

    /// A `final_eval.json` as the evaluate stage writes it.
    package static let finalEval = """
    {"prompts": 60, "gold_scored_prompts": 50, "temperature": 1, "samples_per_prompt": 4,
     "models": [
      {"model": "base", "gold_mean": 0.12, "gold_by_family": {"reverse": 0.1, "add": 0.14}, "gold_by_scenario": {"helpfulness": 0.11, "safety": 0.2},
       "rm_mean": -1.2, "rm_std": 0.8, "gold_std": 0.2, "length_mean": 40.5, "eos_fraction": 0.4, "kl_to_sft": 3.1},
      {"model": "sft", "gold_mean": 0.55, "gold_by_family": {"reverse": 0.5, "add": 0.6}, "gold_by_scenario": {"helpfulness": 0.54, "safety": 0.6},
       "greedy_gold": {"gold_mean": 0.61, "gold_by_family": {"reverse": 0.6, "add": 0.62}, "gold_by_scenario": {"helpfulness": 0.6, "safety": 0.7}},
       "rm_mean": 0.3, "rm_std": 0.9, "gold_std": 0.3, "length_mean": 12.25, "eos_fraction": 0.95, "kl_to_sft": 0},
      {"model": "policy", "gold_mean": 0.683, "gold_by_family": {"reverse": 0.7, "add": 0.66}, "gold_by_scenario": {"helpfulness": 0.68, "safety": 0.7},
       "greedy_gold": {"gold_mean": 0.645, "gold_by_family": {"reverse": 0.65, "add": 0.64}, "gold_by_scenario": {"helpfulness": 0.64, "safety": 0.7}},
       "rm_mean": 1.4, "rm_std": 0.7, "gold_std": 0.25, "length_mean": 13.5, "eos_fraction": 0.98, "kl_to_sft": 2.37}],
     "win_rates": [
      {"a": "policy", "b": "sft", "judge": "gold", "win_rate": 0.64, "ci_low": 0.55, "ci_high": 0.73, "wins": 30, "ties": 4, "losses": 16},
      {"a": "sft", "b": "policy", "judge": "gold", "win_rate": 0.36, "ci_low": 0.27, "ci_high": 0.45, "wins": 16, "ties": 4, "losses": 30},
      {"a": "policy", "b": "base", "judge": "rm", "win_rate": 0.91, "ci_low": 0.85, "ci_high": 0.96, "wins": 54, "ties": 1, "losses": 5}],
     "reward_hacking": {"rm_gain": 1.1, "rm_gain_standardised": 1.22, "gold_gain": 0.133, "proxy_minus_gold": 0.78, "length_ratio": 1.1,
       "suspected": false, "verdict": "No sign of reward hacking: the RM score rose and the gold score rose."},
     "highest_rm_samples": [{"prompt": "reverse <abc> & go", "response": "cba", "rm_score": 2.5, "gold": 1, "reached_eos": true}],
     "lowest_rm_samples": [{"prompt": "add 2 3", "response": "I cannot help with that, it is harmful", "rm_score": -1.5, "gold": 0, "reached_eos": true}]}
    """

    /// A failed gate verdict with findings.
    package static let failedGate = """
    {"gate": "gate.length_bias", "status": "fail", "severity": "error", "message": "chosen is longer in 91% of pairs",
     "figures": {"chosen_longer_fraction": 0.91, "point_biserial": 0.48}, "thresholds": {"max_chosen_longer_fraction": 0.7},
     "finding_count": 2, "findings": [
       {"kind": "long_chosen", "file": "experiments/x/data/pref_train.jsonl", "line": 17, "field": "chosen", "message": "chosen 3.2× longer", "score": 3.2},
       {"kind": "long_chosen", "file": "experiments/x/data/pref_train.jsonl", "line": 42, "message": "chosen 2.9× longer"}]}
    """

    /// A passing gate verdict.
    package static let passedGate = """
    {"gate": "gate.rm_quality", "status": "pass", "severity": "error", "message": "accuracy 0.81 ≥ 0.70", "figures": {"heldout_accuracy": 0.81},
     "thresholds": {"min_accuracy": 0.7}, "finding_count": 0, "findings": []}
    """

    /// Generation probe lines for one model.
    package static func probe(_ model: String) -> String {
        ["reverse abc", "add 2 3"].enumerated().map { index, prompt in
            "{\"prompt\": \"\(prompt)\", \"response\": \"\(model) answer \(index)\", \"gold\": \(Double(index) / 2), \"rm_score\": \(Double(index) - 0.5)}"
        }.joined(separator: "\n") + "\n"
    }

    /// Writes every fixture under `directory` and returns the report sources for them.
    package static func writeAll(to directory: URL, ppoCount: Int = 12) throws -> [ReportSource] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files: [(role: String, name: String, text: String)] = [
            ("sft_eval", "sft_eval.json", sftEval), ("rm_eval", "rm_eval.json", rmEval), ("ppo_metrics", "ppo_train_metrics.jsonl", try jsonl(ppoLines(ppoCount))),
            ("final_eval", "final_eval.json", finalEval), ("gate_length_bias", "length_bias.verdict.json", failedGate),
            ("gate_rm_quality", "rm_quality.verdict.json", passedGate), ("base_probe", "base_probe.md", "# Base probe\n\nmean gold 0.12\n"),
            ("base_probe_lines", "base.jsonl", probe("base")), ("policy_probe", "policy.jsonl", probe("policy")),
        ]
        return try files.map { file in
            let url = directory.appendingPathComponent(file.name)
            try file.text.write(to: url, atomically: true, encoding: .utf8)
            return ReportSource(role: file.role, node: file.role, url: url, displayPath: file.name, hash: String(repeating: "ab", count: 16))
        }
    }

    /// A fresh temporary directory.
    package static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
