import Charts
import Training

extension ReportDocument {
    /// One PPO metric: label, unit, and how to read it from a line.
    struct PPOMetric {
        /// Display name.
        var label: String
        /// JSON key in `ppo_train_metrics.jsonl`.
        var key: String
        /// The value of one iteration (nil when the line lacks it).
        var read: (PPOIterationMetrics) -> Double?
    }

    /// The metrics a PPO run is judged by, in table order.
    static let ppoMetrics: [PPOMetric] = [
        PPOMetric(label: "RM score (mean)", key: "rm_score_mean") { $0.rmScoreMean },
        PPOMetric(label: "gold score (mean)", key: "gold_score_mean") { $0.goldScoreMean },
        PPOMetric(label: "reward (mean)", key: "reward_mean") { $0.rewardMean },
        PPOMetric(label: "KL to reference (nats/response)", key: "kl_mean") { $0.klMean },
        PPOMetric(label: "β (KL coefficient)", key: "beta") { $0.beta },
        PPOMetric(label: "entropy (nats/token)", key: "entropy") { $0.entropy },
        PPOMetric(label: "policy loss", key: "policy_loss") { $0.policyLoss },
        PPOMetric(label: "value loss", key: "value_loss") { $0.valueLoss },
        PPOMetric(label: "approx KL", key: "approx_kl") { $0.approxKL },
        PPOMetric(label: "clip fraction", key: "clip_fraction") { $0.clipFraction },
        PPOMetric(label: "value clip fraction", key: "value_clip_fraction") { $0.valueClipFraction },
        PPOMetric(label: "mean ratio", key: "mean_ratio") { $0.meanRatio },
        PPOMetric(label: "response length mean (tokens)", key: "response_length_mean") { $0.responseLengthMean },
        PPOMetric(label: "response length max (tokens)", key: "response_length_max") { Double($0.responseLengthMax) },
        PPOMetric(label: "EOS fraction", key: "eos_fraction") { $0.eosFraction },
        PPOMetric(label: "generation time (s)", key: "generation_seconds") { $0.generationSeconds },
        PPOMetric(label: "training time (s)", key: "training_seconds") { $0.trainingSeconds },
        PPOMetric(label: "rollout tokens/s", key: "rollout_tokens_per_second") { $0.rolloutTokensPerSecond },
    ]

    /// PPO per-iteration charts and summary figures over the full series.
    func ppoSection() -> String {
        guard let lines = artifacts.ppoMetrics.value else { return section("ppo", "PPO", unavailable(artifacts.ppoMetrics)) }
        guard !lines.isEmpty else { return section("ppo", "PPO", "<p class=\"missing\">ppo_train_metrics.jsonl has no iterations yet.</p>\n") }
        let other = comparison?.artifacts.ppoMetrics.value
        let otherName = comparison?.name ?? ""
        func series(_ label: String, _ lines: [PPOIterationMetrics], color: Int, dashed: Bool = false, axis: ChartSeries.Axis = .left,
                    _ read: (PPOIterationMetrics) -> Double?) -> ChartSeries {
            ChartSeries(label: dashed ? "\(otherName): \(label)" : label,
                        points: lines.compactMap { line in read(line).map { ChartPoint(x: Double(line.iteration), y: $0) } },
                        color: color, dashed: dashed, axis: axis)
        }
        func chart(_ title: String, y: String, yRight: String? = nil, _ make: ([PPOIterationMetrics], Bool) -> [ChartSeries]) -> LineChart {
            var all = make(lines, false)
            if let other { all += make(other, true) }
            return LineChart(labels: ChartLabels(title: title, x: "PPO iteration", y: y, yRight: yRight), series: all.filter { !$0.points.isEmpty })
        }
        let charts: [(LineChart, String)] = [
            (chart("RM score and gold score", y: "RM score (reward-model units)", yRight: "gold score (0–1)") { lines, dashed in
                [series("RM score", lines, color: 0, dashed: dashed) { $0.rmScoreMean },
                 series("gold score", lines, color: 1, dashed: dashed, axis: .right) { $0.goldScoreMean }]
            }, "RM score rising while gold stays flat is reward hacking."),
            (chart("KL to reference and β", y: "KL (nats, summed per response)", yRight: "β") { lines, dashed in
                [series("KL", lines, color: 2, dashed: dashed) { $0.klMean }, series("β", lines, color: 3, dashed: dashed, axis: .right) { $0.beta }]
            }, "The adaptive controller raises β when KL overshoots its target."),
            (chart("Policy entropy", y: "entropy (nats per token)") { lines, dashed in
                [series("entropy", lines, color: 4, dashed: dashed) { $0.entropy }]
            }, "Entropy collapsing towards 0 means the policy stopped exploring."),
            (chart("Response length", y: "tokens (EOS included)") { lines, dashed in
                [series("mean length", lines, color: 5, dashed: dashed) { $0.responseLengthMean },
                 series("max length", lines, color: 6, dashed: dashed) { Double($0.responseLengthMax) }]
            }, "Length growing with the RM score points at a length-biased reward model."),
            (chart("Clip fraction", y: "fraction of tokens") { lines, dashed in
                [series("policy clip", lines, color: 0, dashed: dashed) { $0.clipFraction },
                 series("value clip", lines, color: 1, dashed: dashed) { $0.valueClipFraction }]
            }, "Share of tokens where the PPO ratio (or value) clip was active."),
        ]
        var out = "<p>\(lines.count) iterations. Charts draw at most \(LineChart.maxDrawnPoints) points per series (LTTB); the table uses every iteration.</p>\n"
        out += "<div class=\"charts\">" + charts.filter { $0.0.hasData }.map { figure($0.0, caption: $0.1) }.joined() + "</div>\n"
        out += ppoSummaryTable(lines, other: other)
        return section("ppo", "PPO", out + provenance(artifacts.ppoMetrics.origin))
    }

    /// First, last, min, max and mean of every metric over all iterations (and the compared run's last value).
    func ppoSummaryTable(_ lines: [PPOIterationMetrics], other: [PPOIterationMetrics]?) -> String {
        var headers = ["Metric", "First", "Last", "Min", "Max", "Mean"]
        if let name = comparison?.name, other != nil { headers += ["\(name): last", "Δ last (this − \(name))"] }
        let rows = Self.ppoMetrics.compactMap { metric -> [Cell]? in
            let values = lines.compactMap(metric.read)
            guard let first = values.first, let last = values.last else { return nil }
            var row: [Cell] = [.raw("\(Markup.escape(metric.label)) <code>\(metric.key)</code>"), .number(first), .number(last),
                               .number(values.min()), .number(values.max()), .number(values.reduce(0, +) / Double(values.count))]
            if let other {
                let otherLast = other.compactMap(metric.read).last
                row += [.number(otherLast), .delta(otherLast.map { last - $0 })]
            }
            return row
        }
        return table(headers, rows, id: "ppo-summary")
    }
}
