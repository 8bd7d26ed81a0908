import Model

/// Every hyperparameter of the `ppo` node, read from its params with these defaults.
public struct PPOConfig: Equatable, Sendable {
    /// PPO iterations (rollout + update rounds).
    public var iterations = 20
    /// Distinct prompts sampled per iteration.
    public var promptsPerIteration = 16
    /// Completions per prompt (k); `win_fraction` and `group_baseline` need k ≥ 2.
    public var samplesPerPrompt = 1
    /// Sequences per minibatch in the update.
    public var minibatchSize = 8
    /// Passes over the rollout per iteration.
    public var ppoEpochs = 2
    /// Actor learning rate.
    public var learningRate = 1e-5
    /// Critic learning rate.
    public var criticLearningRate = 1e-5
    /// Policy ratio clip ε.
    public var clipRange = 0.2
    /// Value clip around the rollout values.
    public var clipRangeValue = 0.2
    /// Weight of the value loss.
    public var valueCoefficient = 0.1
    /// Weight of the entropy bonus (0: off).
    public var entropyCoefficient = 0.0
    /// Discount γ.
    public var gamma = 1.0
    /// GAE λ.
    public var lambda = 0.95
    /// Whether GAE advantages are whitened over the batch.
    public var whitenAdvantages = true
    /// Per-token KL estimator.
    public var klEstimator = KLEstimator.k1
    /// Initial (or fixed) KL coefficient β.
    public var klCoefficient = 0.05
    /// Target summed KL per sequence for the adaptive controller; nil keeps β fixed.
    public var klTarget: Double? = nil
    /// Adaptive controller horizon in sequences.
    public var klHorizon = 500.0
    /// Reward source.
    public var reward = RewardMode.rm
    /// Whether `group_baseline` divides by the group's standard deviation.
    public var groupNormalise = true
    /// Sampling temperature (also divides the logits when scoring).
    public var temperature = 1.0
    /// Longest response in tokens.
    public var maxNewTokens = 32
    /// Added to the score of a response that never reached EOS.
    public var missingEOSPenalty = -1.0
    /// Whether the critic keeps the reward model's head (`copy`) or starts from zero (`zero`).
    public var copyValueHead = false
    /// Save a resumable checkpoint every this many iterations.
    public var checkpointEvery = 5
    /// Sequences per forward pass when scoring rollouts.
    public var scoringChunk = 32
    /// Also time the first rollout without the KV cache and report the speed-up.
    public var measureCacheSpeedup = false
    /// Score the rollouts of world prompts with the world's gold verifier (a metric only; it never enters the reward).
    public var goldJudge = true

    /// Precision of the rollout's KV-cache sampling (the update always runs in fp32).
    public var rolloutPrecision = InferencePrecision.fp32
    /// Precision of the reward model's and the reference's scoring passes (a whole-model reward model and the old
    /// log-probs of a bf16 rollout stay fp32; the update always runs in fp32).
    public var scoringPrecision = InferencePrecision.fp32
    /// Take the old log-probs from the fp32 sampler itself (as TRL does from `generate`'s scores) instead of a
    /// scoring forward: the same math rounded differently, one forward fewer per iteration. Off by default until
    /// the default experiment's seeds are re-measured with it.
    public var oldLogProbsFromRollout = false
    /// How causal-LM scoring and the actor's update reach the log-probs (not a node param: the full-logits path
    /// is there to measure against in `rlhf bench ppo`).
    public var scoringPath = ModelScoring.Path.chunkedHead

    /// Defaults.
    public init() {}

    /// Sequences per iteration.
    var batchSize: Int { promptsPerIteration * samplesPerPrompt }

    /// The KL coefficient controller these params describe.
    var controller: KLController {
        if let klTarget { return .adaptive(initial: klCoefficient, target: klTarget, horizon: klHorizon) }
        return .fixed(klCoefficient)
    }
}
