/// One line of `ppo_train_metrics.jsonl` as written: the iteration's metrics, its diagnostics and the reward
/// split, flat, plus the same figures under the names TRL's `PPOTrainer` logs (`objective/kl`,
/// `policy/clipfrac_avg`, …), so tooling written for TRL logs reads the file as it is.
public struct PPOMetricsLine: Codable, Equatable, Sendable {
    /// The iteration's metrics (diagnostics included when recorded).
    public var metrics: PPOIterationMetrics

    /// TRL's name for each figure it also logs, with the figure (TRL `PPOTrainer` docs, "Explanation of the logged
    /// metrics"). `objective/entropy` (TRL: summed −log-prob of the sampled responses) and the episode counters are
    /// not ours to fake, so they are left out.
    public static let trlAliases: [(name: String, read: @Sendable (PPOIterationMetrics) -> Double?)] = [
        ("objective/kl", { $0.klMean }),
        ("objective/scores", { $0.rewardMean }),
        ("objective/non_score_reward", { $0.nonScoreRewardMean }),
        ("objective/rlhf_reward", { $0.totalRewardMean }),
        ("policy/entropy_avg", { $0.entropy }),
        ("policy/approxkl_avg", { $0.approxKL }),
        ("policy/clipfrac_avg", { $0.clipFraction }),
        ("loss/policy_avg", { $0.policyLoss }),
        ("loss/value_avg", { $0.valueLoss }),
        ("val/clipfrac_avg", { $0.valueClipFraction }),
        ("val/ratio", { $0.meanRatio }),
        ("lr", { $0.diagnostics?.learningRate }),
    ]

    /// The line of `metrics`.
    public init(_ metrics: PPOIterationMetrics) {
        self.metrics = metrics
    }

    /// Reads a line: the metrics, and the diagnostics when the line has them.
    public init(from decoder: Decoder) throws {
        metrics = try PPOIterationMetrics(from: decoder)
        metrics.diagnostics = (try? PPODiagnostics(from: decoder)) ?? metrics.diagnostics
    }

    /// Writes the metrics, the diagnostics, the reward split and the TRL aliases into one flat object.
    public func encode(to encoder: Encoder) throws {
        var plain = metrics
        plain.diagnostics = nil
        try plain.encode(to: encoder)
        try metrics.diagnostics?.encode(to: encoder)
        var container = encoder.container(keyedBy: NameKey.self)
        try container.encode(metrics.nonScoreRewardMean, forKey: NameKey("non_score_reward_mean"))
        try container.encode(metrics.totalRewardMean, forKey: NameKey("total_reward_mean"))
        for alias in Self.trlAliases {
            if let value = alias.read(metrics) { try container.encode(value, forKey: NameKey(alias.name)) }
        }
    }

    /// A JSON key made from any string.
    struct NameKey: CodingKey {
        /// The key text.
        var stringValue: String
        /// Never an index.
        var intValue: Int? { nil }

        /// The key `name`.
        init(_ name: String) { stringValue = name }
        /// The key `stringValue`.
        init?(stringValue: String) { self.stringValue = stringValue }
        /// Integer keys are not used.
        init?(intValue: Int) { nil }
    }
}

extension PPOIterationMetrics {
    /// The KL part of the reward, −β · KL (TRL's `non_score_reward`): summed per response, averaged over responses.
    public var nonScoreRewardMean: Double { -beta * klMean }

    /// Score plus KL part (TRL's `rlhf_reward`): what the policy was optimised for this iteration.
    public var totalRewardMean: Double { rewardMean + nonScoreRewardMean }
}
