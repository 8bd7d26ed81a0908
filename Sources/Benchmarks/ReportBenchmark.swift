import Foundation
import Report
import Training

/// `rlhf bench report`: renders a report over a long synthetic PPO run and times it.
public enum ReportBenchmark {
    /// What one benchmark run measured.
    public struct Result: Sendable {
        /// PPO metric lines rendered.
        public var lines: Int
        /// Seconds to write the synthetic artifacts (not part of the target).
        public var setupSeconds: Double
        /// Seconds to read, render and write the report (HTML and Markdown).
        public var renderSeconds: Double
        /// Size of `index.html` in bytes.
        public var htmlBytes: Int
        /// Where the report was written.
        public var html: URL
    }

    /// Writes `lines` synthetic PPO iterations (plus an SFT loss curve of the same length) under
    /// `directory`, then reads and renders them as the `report` node does.
    public static func run(lines: Int, directory: URL) throws -> Result {
        let setupStart = Date()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let metricsURL = directory.appendingPathComponent("ppo_train_metrics.jsonl")
        let sftURL = directory.appendingPathComponent("sft_eval.json")
        try Data(syntheticPPO(lines: lines).utf8).write(to: metricsURL)
        try Data(syntheticSFT(steps: lines).utf8).write(to: sftURL)
        let setup = Date().timeIntervalSince(setupStart)

        let start = Date()
        let html = directory.appendingPathComponent("index.html")
        try ReportWriter.write(experiment: "bench", artifacts: [(role: "ppo_metrics", node: "ppo", url: metricsURL), (role: "sft_eval", node: "sft", url: sftURL)],
                               generated: Date(), html: html, summary: directory.appendingPathComponent("summary.md"))
        let render = Date().timeIntervalSince(start)
        let size = (try? FileManager.default.attributesOfItem(atPath: html.path)[.size] as? Int) ?? 0
        return Result(lines: lines, setupSeconds: setup, renderSeconds: render, htmlBytes: size, html: html)
    }

    /// Deterministic PPO metric lines with trends and noise (a fixed linear congruential generator).
    public static func syntheticPPO(lines: Int) -> String {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func noise() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var out = ""
        for i in 0..<lines {
            let t = Double(i) / Double(max(lines - 1, 1))
            let metrics = PPOIterationMetrics(
                iteration: i, rmScoreMean: 2 * t + 0.3 * noise(), goldScoreMean: 0.4 + 0.3 * t + 0.05 * noise(), rewardMean: 2 * t - 0.1,
                klMean: 6 * t + noise(), beta: 0.05 + 0.02 * t, entropy: 1.5 - t + 0.1 * noise(), policyLoss: 0.1 * noise(),
                valueLoss: 0.5 * (1 - t) + 0.05 * noise(), approxKL: 0.01 + 0.005 * noise(), clipFraction: 0.1 + 0.05 * noise(),
                valueClipFraction: 0.05 + 0.02 * noise(), meanRatio: 1 + 0.01 * noise(), responseLengthMean: 12 + 4 * t + noise(),
                responseLengthMax: 20 + Int(8 * t), eosFraction: 0.95, generationSeconds: 0.4, trainingSeconds: 0.6,
                rolloutTokensPerSecond: 900, noCacheTokensPerSecond: nil)
            out += String(decoding: (try? encoder.encode(metrics)) ?? Data(), as: UTF8.self) + "\n"
        }
        return out
    }

    /// An `sft_eval.json` with a train and a validation loss curve of `steps` points.
    static func syntheticSFT(steps: Int) -> String {
        let train = (0..<steps).map { String(format: "%.5f", 3.0 * exp(-Double($0) / Double(max(steps / 4, 1))) + 0.5) }
        let valid = stride(from: 0, to: steps, by: 10).map { "{\"step\": \($0), \"loss\": \(String(format: "%.5f", 3.1 * exp(-Double($0) / Double(max(steps / 4, 1))) + 0.6))}" }
        return "{\"train_loss\": [\(train.joined(separator: ","))], \"validation\": [\(valid.joined(separator: ","))], \"gold_score\": 0.61}"
    }
}
