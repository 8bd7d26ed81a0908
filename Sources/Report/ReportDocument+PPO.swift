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
        PPOMetric(label: "score fed to the reward (mean)", key: "reward_mean") { $0.rewardMean },
        PPOMetric(label: "non-score reward −β·KL (mean)", key: "non_score_reward_mean") { $0.nonScoreRewardMean },
        PPOMetric(label: "total reward (mean)", key: "total_reward_mean") { $0.totalRewardMean },
        PPOMetric(label: "KL to reference (nats/response)", key: "kl_mean") { $0.klMean },
        PPOMetric(label: "β (KL coefficient)", key: "beta") { $0.beta },
        PPOMetric(label: "entropy (nats/token)", key: "entropy") { $0.entropy },
        PPOMetric(label: "policy loss", key: "policy_loss") { $0.policyLoss },
        PPOMetric(label: "value loss", key: "value_loss") { $0.valueLoss },
        PPOMetric(label: "approx KL", key: "approx_kl") { $0.approxKL },
        PPOMetric(label: "clip fraction", key: "clip_fraction") { $0.clipFraction },
        PPOMetric(label: "value clip fraction", key: "value_clip_fraction") { $0.valueClipFraction },
        PPOMetric(label: "mean ratio", key: "mean_ratio") { $0.meanRatio },
        PPOMetric(label: "learning rate", key: "learning_rate") { $0.diagnostics?.learningRate },
        PPOMetric(label: "gradient norm (actor, pre-clip)", key: "grad_norm") { $0.diagnostics?.gradNorm },
        PPOMetric(label: "advantage mean (before whitening)", key: "advantage_mean") { $0.diagnostics?.advantageMean },
        PPOMetric(label: "advantage std (before whitening)", key: "advantage_std") { $0.diagnostics?.advantageStd },
        PPOMetric(label: "value mean", key: "value_mean") { $0.diagnostics?.valueMean },
        PPOMetric(label: "return mean", key: "return_mean") { $0.diagnostics?.returnMean },
        PPOMetric(label: "explained variance", key: "explained_variance") { $0.diagnostics?.explainedVariance },
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
        let runs = [(name: String?.none, lines: lines)] + compared.compactMap { other in other.artifacts.ppoMetrics.value.map { (name: Optional(other.name), lines: $0) } }
        /// One metric of every run: this experiment's solid, each compared one's dashed and named.
        func series(_ label: String, color: Int, axis: ChartSeries.Axis = .left, _ read: @escaping (PPOIterationMetrics) -> Double?) -> [ChartSeries] {
            runs.map { run in
                ChartSeries(label: run.name.map { "\($0): \(label)" } ?? label,
                            points: run.lines.compactMap { line in read(line).map { ChartPoint(x: Double(line.iteration), y: $0) } },
                            color: color, dashed: run.name != nil, axis: axis)
            }.filter { !$0.points.isEmpty }
        }
        func chart(_ title: String, y: String, yRight: String? = nil, logScale: Bool = false, _ series: [ChartSeries]) -> LineChart {
            LineChart(labels: ChartLabels(title: title, x: "PPO iteration", y: y, yRight: yRight), series: series, logScale: logScale)
        }
        var drawn: [String] = []
        let scores = PanelChart(title: "RM score and gold score", x: "PPO iteration", panels: [
            .init(y: "RM score (RM units)", series: series("RM score", color: 0) { $0.rmScoreMean }),
            .init(y: "gold score (0–1)", series: series("gold score", color: 1) { $0.goldScoreMean }),
        ])
        if scores.hasData {
            drawn.append(figure(scores, caption: "One panel per judge over the same iterations, each on its own scale. RM score rising while gold stays flat is reward hacking."))
        }
        let reward = chart("Reward: score, KL penalty and total", y: "reward (RM units, summed per response)",
                           series("score", color: 0) { $0.rewardMean } + series("non-score −β·KL", color: 3) { $0.nonScoreRewardMean }
                               + series("total", color: 2) { $0.totalRewardMean })
        drawn.append(figure(reward, caption: "TRL's objective/scores, objective/non_score_reward and objective/rlhf_reward: the score after the missing-EOS "
            + "penalty, the KL part −β·KL, and their sum, which PPO maximises."))
        let negativeKL = runs.contains { $0.lines.contains { $0.klMean < 0 } }
        let kl = chart("KL to reference and β", y: "KL (nats, summed per response)", yRight: "β",
                       series("KL", color: 2) { $0.klMean } + series("β", color: 3, axis: .right) { $0.beta })
        drawn.append(figure(kl, caption: "The adaptive controller raises β when KL overshoots its target."
            + (negativeKL ? " KL below 0 is estimator noise: the per-token estimate (k1: log π − log π_ref) is unbiased but can be negative "
                + "while the policy is still close to the reference; true KL is ≥ 0." : "")))
        let optimiser = PanelChart(title: "Learning rate and gradient norm", x: "PPO iteration", panels: [
            .init(y: "learning rate", series: series("actor", color: 0) { $0.diagnostics?.learningRate } + series("critic", color: 1) { $0.diagnostics?.criticLearningRate }),
            .init(y: "grad L2 norm (pre-clip)", series: series("actor grad norm", color: 4) { $0.diagnostics?.gradNorm }),
        ])
        if optimiser.hasData {
            drawn.append(figure(optimiser, caption: "Mean over the iteration's minibatches of the actor's global gradient norm before clipping (clipped to 1). "
                + "Spikes precede instability."))
        }
        let advantages = chart("Advantages (before whitening)", y: "advantage (reward units per token)",
                               series("mean", color: 0) { $0.diagnostics?.advantageMean } + series("std", color: 1) { $0.diagnostics?.advantageStd }
                                   + series("min", color: 6) { $0.diagnostics?.advantageMin } + series("max", color: 7) { $0.diagnostics?.advantageMax })
        if advantages.hasData {
            drawn.append(figure(advantages, caption: "Returns − values per response token (with a critic), or the group-baseline advantage; the update whitens them when whiten_advantages is on."))
        }
        let values = chart("Critic values and returns", y: "value (reward units)",
                           series("value mean", color: 0) { $0.diagnostics?.valueMean } + series("return mean", color: 1) { $0.diagnostics?.returnMean }
                               + series("return std", color: 6) { $0.diagnostics?.returnStd })
        if values.hasData { drawn.append(figure(values, caption: "The critic's values before the update and its GAE targets; values trailing returns is a critic that lags.")) }
        let explained = chart("Critic explained variance", y: "explained variance (1 = perfect)", series("explained variance", color: 2) { $0.diagnostics?.explainedVariance })
        if explained.hasData {
            drawn.append(figure(explained, caption: "1 − Var(returns − values) / Var(returns) over the rollout's tokens: near 1 the critic predicts returns, "
                + "at 0 no better than their mean, below 0 worse."))
        }
        let valueLoss = chart("Value loss", y: "clipped value loss", logScale: logLoss, series("value loss", color: 1) { $0.valueLoss })
        if valueLoss.hasData && lines.contains(where: { $0.valueLoss > 0 }) {
            drawn.append(figure(valueLoss, caption: "Mean over minibatches\(logLoss ? ", log scale" : ""). The policy loss is in the table below: it changes sign, so it has no log scale."))
        }
        drawn.append(figure(chart("Policy entropy", y: "entropy (nats per token)", series("entropy", color: 4) { $0.entropy }),
                              caption: "Entropy collapsing towards 0 means the policy stopped exploring."))
        drawn.append(figure(chart("Response length", y: "tokens, EOS included", series("mean length", color: 5) { $0.responseLengthMean }
                                    + series("max length", color: 6) { Double($0.responseLengthMax) }),
                              caption: "Length growing with the RM score points at a length-biased reward model."))
        drawn.append(figure(chart("Clip fraction", y: "fraction of tokens", series("policy clip", color: 0) { $0.clipFraction }
                                    + series("value clip", color: 1) { $0.valueClipFraction }),
                              caption: "Share of tokens where the PPO ratio (or value) clip was active."))
        let diagnosed = lines.contains { $0.diagnostics != nil }
        var out = "<p>\(lines.count) iterations. Charts draw at most \(LineChart.maxDrawnPoints) points per series (LTTB); the table uses every iteration."
            + (diagnosed ? " Each line of ppo_train_metrics.jsonl also carries TRL's metric names (<code>objective/kl</code>, <code>objective/scores</code>, "
                + "<code>policy/clipfrac_avg</code>, …)." : "") + "</p>\n"
        if !diagnosed {
            out += "<p class=\"missing\">No learning-rate, gradient-norm, advantage or value diagnostics: this ppo_train_metrics.jsonl predates them (ppo v5 writes them).</p>\n"
        }
        out += "<div class=\"charts\">" + drawn.joined() + "</div>\n"
        out += ppoSummaryTable(lines, other: comparison?.artifacts.ppoMetrics.value)
        out += ppoHeldoutTable()
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
                               .number(values.min()), .number(values.max()), .number(Statistics.mean(values))]
            if let other {
                let otherLast = other.compactMap(metric.read).last
                row += [.number(otherLast), .delta(otherLast.map { last - $0 })]
            }
            return row
        }
        return table(headers, rows, id: "ppo-summary")
    }
}
