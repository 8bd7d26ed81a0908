/// One line of `ppo_train_metrics.jsonl`: what one PPO iteration did.
public struct PPOIterationMetrics: Codable, Equatable, Sendable {
    /// 0-based iteration.
    public var iteration: Int
    /// Mean reward-model score of the rollout (before the missing-EOS penalty).
    public var rmScoreMean: Double
    /// Mean gold score of the same samples (nil when no prompt is a world task).
    public var goldScoreMean: Double?
    /// Scores per task family and scenario (`family:<name>`, `scenario:<name>`) of the gold-scored samples (nil without gold).
    public var slices: [String: PPOSliceScores]?
    /// Learning rate, gradient norm, advantage and value statistics (nil in metrics written before them). Flat keys of
    /// a `ppo_train_metrics.jsonl` line (`PPOMetricsLine`); nested under `diagnostics` in the resume state.
    public var diagnostics: PPODiagnostics? = nil
    /// Mean score fed to the rewards (after penalty; win fraction in self-play).
    public var rewardMean: Double
    /// KL to the reference, summed over each response and averaged over responses.
    public var klMean: Double
    /// KL coefficient β used for this rollout.
    public var beta: Double
    /// Mean per-token policy entropy (tempered) during the update.
    public var entropy: Double
    /// Mean clipped policy loss over minibatches.
    public var policyLoss: Double
    /// Mean clipped value loss over minibatches (0 without a critic).
    public var valueLoss: Double
    /// Mean approx-KL between the updated and the rollout policy.
    public var approxKL: Double
    /// Mean fraction of tokens where the ratio clip was active.
    public var clipFraction: Double
    /// Mean fraction of tokens where the value clip was active.
    public var valueClipFraction: Double
    /// Mean probability ratio.
    public var meanRatio: Double
    /// Mean response length in tokens (EOS included).
    public var responseLengthMean: Double
    /// Longest response in tokens.
    public var responseLengthMax: Int
    /// Fraction of responses that reached EOS.
    public var eosFraction: Double
    /// Wall time of sampling the rollout (KV cache).
    public var generationSeconds: Double
    /// Wall time of scoring the rollout and the PPO update.
    public var trainingSeconds: Double
    /// Sampled tokens per second of generation.
    public var rolloutTokensPerSecond: Double
    /// Tokens per second sampling the same batch without the KV cache (measured once, when asked).
    var noCacheTokensPerSecond: Double?
    /// Wall time of the rollout (sampling with the KV cache); nil in metrics written before it was recorded.
    public var rolloutSeconds: Double?
    /// Wall time of scoring the rollout: old and reference log-probs, reward model and values.
    public var scoringSeconds: Double?
    /// Wall time of the PPO update (every epoch and minibatch of actor and critic steps).
    public var updateSeconds: Double?

    /// The metrics of iteration `iteration`.
    public init(iteration: Int, rmScoreMean: Double, goldScoreMean: Double? = nil, rewardMean: Double, klMean: Double,
                beta: Double, entropy: Double, policyLoss: Double, valueLoss: Double, approxKL: Double, clipFraction: Double,
                valueClipFraction: Double, meanRatio: Double, responseLengthMean: Double, responseLengthMax: Int,
                eosFraction: Double, generationSeconds: Double, trainingSeconds: Double, rolloutTokensPerSecond: Double,
                noCacheTokensPerSecond: Double? = nil, slices: [String: PPOSliceScores]? = nil) {
        self.iteration = iteration
        self.rmScoreMean = rmScoreMean
        self.goldScoreMean = goldScoreMean
        self.rewardMean = rewardMean
        self.klMean = klMean
        self.beta = beta
        self.entropy = entropy
        self.policyLoss = policyLoss
        self.valueLoss = valueLoss
        self.approxKL = approxKL
        self.clipFraction = clipFraction
        self.valueClipFraction = valueClipFraction
        self.meanRatio = meanRatio
        self.responseLengthMean = responseLengthMean
        self.responseLengthMax = responseLengthMax
        self.eosFraction = eosFraction
        self.generationSeconds = generationSeconds
        self.trainingSeconds = trainingSeconds
        self.rolloutTokensPerSecond = rolloutTokensPerSecond
        self.noCacheTokensPerSecond = noCacheTokensPerSecond
        self.slices = slices
    }

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case iteration
        case rmScoreMean = "rm_score_mean"
        case goldScoreMean = "gold_score_mean"
        case rewardMean = "reward_mean"
        case klMean = "kl_mean"
        case beta
        case entropy
        case policyLoss = "policy_loss"
        case valueLoss = "value_loss"
        case approxKL = "approx_kl"
        case clipFraction = "clip_fraction"
        case valueClipFraction = "value_clip_fraction"
        case meanRatio = "mean_ratio"
        case responseLengthMean = "response_length_mean"
        case responseLengthMax = "response_length_max"
        case eosFraction = "eos_fraction"
        case generationSeconds = "generation_seconds"
        case trainingSeconds = "training_seconds"
        case rolloutTokensPerSecond = "rollout_tokens_per_second"
        case noCacheTokensPerSecond = "no_cache_tokens_per_second"
        case rolloutSeconds = "rollout_seconds"
        case scoringSeconds = "scoring_seconds"
        case updateSeconds = "update_seconds"
        case slices
        case diagnostics
    }

    /// The numeric fields as (name, value) pairs, for the catalog's metrics.
    public var points: [(String, Double)] {
        var list: [(String, Double)] = [
            ("rm_score_mean", rmScoreMean), ("reward_mean", rewardMean), ("kl_mean", klMean), ("beta", beta),
            ("entropy", entropy), ("policy_loss", policyLoss), ("value_loss", valueLoss), ("approx_kl", approxKL),
            ("clip_fraction", clipFraction), ("value_clip_fraction", valueClipFraction), ("mean_ratio", meanRatio),
            ("response_length_mean", responseLengthMean), ("response_length_max", Double(responseLengthMax)),
            ("eos_fraction", eosFraction), ("generation_seconds", generationSeconds),
            ("training_seconds", trainingSeconds), ("rollout_tokens_per_second", rolloutTokensPerSecond),
        ]
        if let goldScoreMean { list.append(("gold_score_mean", goldScoreMean)) }
        list += diagnostics?.points ?? []
        if let noCacheTokensPerSecond { list.append(("no_cache_tokens_per_second", noCacheTokensPerSecond)) }
        if let rolloutSeconds { list.append(("rollout_seconds", rolloutSeconds)) }
        if let scoringSeconds { list.append(("scoring_seconds", scoringSeconds)) }
        if let updateSeconds { list.append(("update_seconds", updateSeconds)) }
        return list
    }

    /// A copy with the wall-clock fields zeroed (for comparing runs).
    var withoutTimings: PPOIterationMetrics {
        var copy = self
        copy.generationSeconds = 0
        copy.trainingSeconds = 0
        copy.rolloutTokensPerSecond = 0
        copy.noCacheTokensPerSecond = nil
        copy.rolloutSeconds = nil
        copy.scoringSeconds = nil
        copy.updateSeconds = nil
        return copy
    }
}
