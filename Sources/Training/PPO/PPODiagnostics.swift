/// What an engineer checks when PPO misbehaves, per iteration: learning rates, gradient norms, advantage and
/// value statistics and the critic's explained variance. Written as flat keys of each `ppo_train_metrics.jsonl`
/// line (see `PPOMetricsLine`).
public struct PPODiagnostics: Codable, Equatable, Sendable {
    /// Actor learning rate of the update (constant in this trainer).
    public var learningRate: Double
    /// Critic learning rate (nil without a critic).
    public var criticLearningRate: Double?
    /// Mean over minibatches of the actor's global gradient L2 norm, before clipping.
    public var gradNorm: Double
    /// Mean advantage over response tokens, before whitening (returns − values with a critic; the
    /// sequence's baseline advantage on each of its tokens without one).
    public var advantageMean: Double
    /// Population standard deviation of the same advantages.
    public var advantageStd: Double
    /// Smallest advantage.
    public var advantageMin: Double
    /// Largest advantage.
    public var advantageMax: Double
    /// Mean critic value over response tokens, before the update (nil without a critic).
    public var valueMean: Double?
    /// Standard deviation of those values.
    public var valueStd: Double?
    /// Mean GAE return (the critic's target) over response tokens.
    public var returnMean: Double?
    /// Standard deviation of the returns.
    public var returnStd: Double?
    /// 1 − Var(returns − values) / Var(returns) over the rollout's tokens: 1 is a perfect critic, 0 no better than
    /// the mean, below 0 worse (nil without a critic or when the returns are constant).
    public var explainedVariance: Double?

    /// JSON keys (snake_case, flat in the metrics line).
    enum CodingKeys: String, CodingKey {
        case learningRate = "learning_rate"
        case criticLearningRate = "critic_learning_rate"
        case gradNorm = "grad_norm"
        case advantageMean = "advantage_mean"
        case advantageStd = "advantage_std"
        case advantageMin = "advantage_min"
        case advantageMax = "advantage_max"
        case valueMean = "value_mean"
        case valueStd = "value_std"
        case returnMean = "return_mean"
        case returnStd = "return_std"
        case explainedVariance = "explained_variance"
    }
}

extension PPODiagnostics {
    /// The diagnostics of one iteration from its scored rollout, the actor's mean pre-clip gradient norm over the
    /// update's minibatches, and the config.
    init(_ r: Rollout, gradNorm: Double, config: PPOConfig) {
        learningRate = config.learningRate
        self.gradNorm = gradNorm
        let values = r.values.flatMap { $0 }, returns = r.returns.flatMap { $0 }
        let critic = !values.isEmpty && values.count == returns.count
        criticLearningRate = critic ? config.criticLearningRate : nil
        let advantages = critic ? zip(returns, values).map { $0 - $1 } : r.advantages.flatMap { $0 }
        advantageMean = Statistics.mean(advantages)
        advantageStd = Statistics.standardDeviation(advantages)
        advantageMin = advantages.min() ?? 0
        advantageMax = advantages.max() ?? 0
        if critic {
            valueMean = Statistics.mean(values)
            valueStd = Statistics.standardDeviation(values)
            returnMean = Statistics.mean(returns)
            returnStd = Statistics.standardDeviation(returns)
            explainedVariance = Self.explainedVariance(values: values, returns: returns)
        }
    }

    /// 1 − Var(returns − values) / Var(returns); nil when the returns do not vary.
    static func explainedVariance(values: [Double], returns: [Double]) -> Double? {
        let spread = Statistics.standardDeviation(returns)
        guard spread > 1e-12 else { return nil }
        let residual = Statistics.standardDeviation(zip(returns, values).map { $0 - $1 })
        return 1 - (residual * residual) / (spread * spread)
    }

    /// The figures as (name, value) pairs for the catalog's metrics.
    var points: [(String, Double)] {
        var list = [("learning_rate", learningRate), ("grad_norm", gradNorm), ("advantage_mean", advantageMean),
                    ("advantage_std", advantageStd), ("advantage_min", advantageMin), ("advantage_max", advantageMax)]
        for (name, value) in [("critic_learning_rate", criticLearningRate), ("value_mean", valueMean),
                              ("value_std", valueStd), ("return_mean", returnMean), ("return_std", returnStd),
                              ("explained_variance", explainedVariance)] {
            if let value { list.append((name, value)) }
        }
        return list
    }
}
