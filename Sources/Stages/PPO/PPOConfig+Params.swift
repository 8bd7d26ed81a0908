import EngineCore
import Model
import Training

/// The params of a `ppo` node, each declared once; defaults come from `PPOConfig()`.
struct PPOParams: ParamDeclarations {
    /// Weights dtype of the written checkpoint.
    let dtype = CheckpointDTypeParam.param
    /// The defaults.
    private static let base = PPOConfig()
    /// PPO iterations.
    let iterations = Param.integer("iterations", default: base.iterations, in: 1...100_000, "PPO iterations (rollout + update)")
    /// Prompts per rollout.
    let promptsPerIteration = Param.integer("prompts_per_iteration", default: base.promptsPerIteration, in: 1...4096, "distinct prompts per rollout")
    /// Completions per prompt.
    let samplesPerPrompt = Param.integer("samples_per_prompt", default: base.samplesPerPrompt, in: 1...64, "completions per prompt (k)")
    /// Minibatch size.
    let minibatchSize = Param.integer("minibatch_size", default: base.minibatchSize, in: 1...4096, "sequences per minibatch")
    /// Epochs per rollout.
    let ppoEpochs = Param.integer("ppo_epochs", default: base.ppoEpochs, in: 1...100, "passes over each rollout")
    /// Actor learning rate.
    let learningRate = Param.number("learning_rate", default: base.learningRate, in: 0...1, "actor learning rate")
    /// Critic learning rate.
    let criticLearningRate = Param.number("critic_learning_rate", default: base.criticLearningRate, in: 0...1, "critic learning rate")
    /// Policy clip.
    let clipRange = Param.number("cliprange", default: base.clipRange, in: 0...10, "policy ratio clip ε")
    /// Value clip.
    let clipRangeValue = Param.number("cliprange_value", default: base.clipRangeValue, in: 0...1e6, "value clip around the rollout values")
    /// Value loss weight.
    let valueCoefficient = Param.number("vf_coef", default: base.valueCoefficient, in: 0...1e3, "value loss weight")
    /// Entropy weight.
    let entropyCoefficient = Param.number("entropy_coef", default: base.entropyCoefficient, in: 0...10, "entropy bonus weight (0: off)")
    /// Discount.
    let gamma = Param.number("gamma", default: base.gamma, in: 0...1, "discount γ")
    /// GAE λ.
    let lambda = Param.number("lambda", default: base.lambda, in: 0...1, "GAE λ")
    /// Advantage whitening.
    let whitenAdvantages = Param.flag("whiten_advantages", default: base.whitenAdvantages, "whiten GAE advantages over the batch")
    /// KL estimator.
    let klEstimator = Param.choice("kl_estimator", default: base.klEstimator, "per-token KL estimator")
    /// KL coefficient.
    let klCoefficient = Param.number("kl_coef", default: base.klCoefficient, in: 0...100, "initial (adaptive) or fixed KL coefficient β")
    /// KL control.
    let klControl = Param.choice("kl_control", default: "fixed", among: ["fixed", "adaptive"], "keep β fixed or adapt it towards kl_target")
    /// Adaptive KL target.
    let klTarget = Param.number("kl_target", default: 6, in: 1e-6...1e6, "target summed KL per sequence (kl_control adaptive only)")
    /// Adaptive horizon.
    let klHorizon = Param.number("kl_horizon", default: base.klHorizon, in: 1...1e9, "adaptive controller horizon in sequences")
    /// Reward source.
    let reward = Param.choice("reward", default: base.reward, "reward source: the RM score, or a comparison within a prompt's completions")
    /// Group normalisation.
    let groupNormalise = Param.flag("group_normalise", default: base.groupNormalise, "group_baseline divides by the group's std")
    /// Sampling temperature.
    let temperature = Param.number("temperature", default: base.temperature, in: 0.05...10, "sampling temperature")
    /// Longest response.
    let maxNewTokens = Param.integer("max_new_tokens", default: base.maxNewTokens, in: 1...4096, "longest response in tokens")
    /// No-EOS penalty.
    let missingEOSPenalty = Param.number("missing_eos_penalty", default: base.missingEOSPenalty, in: -1e6...1e6,
                                         "added to the score of a response without EOS")
    /// Critic head.
    let criticHead = Param.choice("critic_head", default: base.copyValueHead ? "copy" : "zero", among: ["zero", "copy"],
                                  "start the critic's head from zero or copy the RM's")
    /// Snapshot interval.
    let checkpointEvery = Param.integer("checkpoint_every", default: base.checkpointEvery, in: 1...100_000, "iterations between resumable snapshots")
    /// Policy snapshots for the over-optimisation curve.
    let snapshotEvery = Param.integer("snapshot_every", default: 0, in: 0...100_000,
                                      "iterations between policy snapshots in the `snapshots` output (0: none), for evaluate's over-optimisation curve")
    /// Scoring chunk.
    let scoringChunk = Param.integer("scoring_chunk", default: base.scoringChunk, in: 1...4096, "sequences per scoring forward")
    /// The policy's LoRA adapter.
    let lora = LoRASpec.param
    /// The critic.
    let critic = Param.choice("critic", default: "model", among: ["model", "head", "adapter"],
                              "the value model: a whole scalar-head model initialised from the reward model, a value head on the frozen SFT trunk, or the SFT trunk with its own adapter of the policy's lora shape")
    /// Rollout precision.
    let rolloutPrecision = Param.choice("rollout_precision", default: "fp32", among: ["fp32", "bf16", "auto"],
                                        "precision of rollout sampling: fp32, bf16 (fp32 on CPUs without AVX-512 BF16) or auto (bf16 where the CPU has it); the update stays fp32, and the old log-probs of a bf16 rollout are scored again in fp32")
    /// Scoring precision.
    let scoringPrecision = Param.choice("scoring_precision", default: "fp32", among: ["fp32", "bf16", "auto"],
                                        "precision of the reward model's and the reference's scoring passes: fp32, bf16 (fp32 on CPUs without AVX-512 BF16) or auto (bf16 where the CPU has it); a whole-model reward model and the update stay fp32")
    /// Where the old log-probs come from.
    let oldLogProbs = Param.choice("old_log_probs", default: "scoring", among: ["scoring", "rollout"],
                                   "where the update's old log-probs come from: scoring (a separate fp32 forward) or rollout (the fp32 sampler's own, as TRL takes them from generate: one forward fewer; a bf16 rollout is scored again in fp32)")
    /// Held-out prompts per evaluation.
    let heldoutCount = Param.integer("heldout_count", default: 64, in: 1...100_000,
                                     "held-out prompts sampled at each held-out evaluation: a fixed seeded subset of the heldout_prompts input (all of it when smaller), one completion each; only with that input")
    /// Held-out interval.
    let heldoutEvery = Param.integer("heldout_every", default: 0, in: 0...100_000,
                                     "iterations between held-out evaluations besides the one before the first iteration and the one after the last (0: only those two); only with a heldout_prompts input")
    /// Cache speed-up measurement.
    let measureCacheSpeedup = Param.flag("measure_cache_speedup", default: base.measureCacheSpeedup,
                                         "also time the first rollout without the KV cache")

    /// The declarations.
    static let declared = PPOParams()

    /// Rules across params: `kl_target` needs adaptive control; comparison rewards need k ≥ 2; held-out params need
    /// held-out prompts.
    static let rules: [ParamRule] = [
        .stage("heldout_count and heldout_every only with a heldout_prompts input") { params, roles in
            // An empty role set means the roles are not known (`PPOConfig` reading the params alone).
            guard !roles.isEmpty, !roles.contains(PPOKind.heldoutRole) else { return }
            for param in [declared.heldoutCount, declared.heldoutEvery] where params.isSet(param) {
                throw params.error(param, "only applies with a '\(PPOKind.heldoutRole)' input; wire one (e.g. a synth.ppo_heldout_prompts node) or remove it")
            }
        },
        .stage("kl_target only with kl_control adaptive") { params, _ in
            if params.isSet(declared.klTarget), try params.value(declared.klControl) != "adaptive" {
                throw params.error(declared.klTarget, "only applies with \"kl_control\": \"adaptive\"; remove it or set kl_control")
            }
        },
        .stage("critic adapter only with lora") { params, _ in
            if try params.value(declared.critic) == "adapter", !params.isSet(declared.lora) {
                throw params.error(declared.critic, "\"adapter\" needs the policy's \"lora\" param (the critic's adapter takes its shape); set lora or use \"head\"")
            }
        },
        .stage("samples_per_prompt at least 2 unless reward is rm") { params, _ in
            let reward = try params.value(declared.reward), samples = try params.value(declared.samplesPerPrompt)
            if reward != .rm && samples < 2 {
                throw params.error(declared.samplesPerPrompt, "must be at least 2 with \"reward\": \"\(reward.rawValue)\" (it compares completions of one prompt)")
            }
        },
    ]
}

extension PPOConfig {
    /// Reads the params of a `ppo` node (declarations and rules as checked at load); every bad value names its param.
    init(_ p: Params) throws {
        for rule in PPOParams.rules {
            if let issue = rule.check(p.values, []).first { throw p.error(String(issue.path.dropFirst("params.".count)), issue.message) }
        }
        let d = PPOParams.declared
        self.init()
        iterations = try p.value(d.iterations)
        promptsPerIteration = try p.value(d.promptsPerIteration)
        samplesPerPrompt = try p.value(d.samplesPerPrompt)
        minibatchSize = try p.value(d.minibatchSize)
        ppoEpochs = try p.value(d.ppoEpochs)
        learningRate = try p.value(d.learningRate)
        criticLearningRate = try p.value(d.criticLearningRate)
        clipRange = try p.value(d.clipRange)
        clipRangeValue = try p.value(d.clipRangeValue)
        valueCoefficient = try p.value(d.valueCoefficient)
        entropyCoefficient = try p.value(d.entropyCoefficient)
        gamma = try p.value(d.gamma)
        lambda = try p.value(d.lambda)
        whitenAdvantages = try p.value(d.whitenAdvantages)
        klEstimator = try p.value(d.klEstimator)
        klCoefficient = try p.value(d.klCoefficient)
        klTarget = try p.value(d.klControl) == "adaptive" ? try p.value(d.klTarget) : nil
        klHorizon = try p.value(d.klHorizon)
        reward = try p.value(d.reward)
        groupNormalise = try p.value(d.groupNormalise)
        temperature = try p.value(d.temperature)
        maxNewTokens = try p.value(d.maxNewTokens)
        missingEOSPenalty = try p.value(d.missingEOSPenalty)
        copyValueHead = try p.value(d.criticHead) == "copy"
        checkpointEvery = try p.value(d.checkpointEvery)
        scoringChunk = try p.value(d.scoringChunk)
        measureCacheSpeedup = try p.value(d.measureCacheSpeedup)
        rolloutPrecision = InferencePrecisionParam.resolve(try p.value(d.rolloutPrecision))
        scoringPrecision = InferencePrecisionParam.resolve(try p.value(d.scoringPrecision))
        oldLogProbsFromRollout = try p.value(d.oldLogProbs) == "rollout"
    }
}
