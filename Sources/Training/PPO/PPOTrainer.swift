import Foundation
import Model
import World

/// The four models of PPO-RLHF and the state that evolves across iterations.
///
/// Every random draw of iteration i comes from a generator seeded by (seed, i), so the state to resume
/// is the models, the optimizer moments and steps, β and the iteration count, nothing hidden.
public final class PPOTrainer {
    /// Hyperparameters.
    let config: PPOConfig
    /// The policy being trained (initialised from SFT; with LoRA, the SFT weights plus the trainable policy adapter).
    public let actor: LlamaModel
    /// The policy's LoRA adapter when the actor trains through one (nil for full fine-tuning).
    public let policyAdapter: LoRAAdapter?
    /// The KL reference: a frozen SFT copy, or the actor with its adapter switched off.
    let reference: PPOReference
    /// The frozen reward model.
    let rewardModel: PPORewardModel
    /// The value model and its optimiser state; nil for `group_baseline`.
    let criticState: PPOCriticState?
    /// The actor's optimizer (with LoRA: moments for the adapter only).
    let actorOptimizer: AdamW
    /// Tokenizer shared by every model.
    public let tokenizer: any Tokenizer
    /// The prompt pool.
    let prompts: [PromptRecord]
    /// Chat prefix of each prompt in the pool.
    let encodedPrompts: [[Int32]]
    /// The base seed.
    let seed: UInt64
    /// The KL coefficient.
    var controller: KLController
    /// Iterations completed.
    public internal(set) var iteration = 0
    /// Metrics of every completed iteration.
    public internal(set) var history: [PPOIterationMetrics] = []
    /// The held-out prompts sampled for `gate.ppo_guard` (nil: none; see `PPOTrainer+Heldout.swift`).
    public var heldout: PPOHeldoutSet?
    /// Every held-out evaluation so far, in iteration order.
    public internal(set) var heldoutHistory: [PPOHeldoutMetrics] = []

    /// Sets up a run from its models (see `PPOModels`); a whole-model critic starts from the reward model with its
    /// head zeroed unless `config.copyValueHead`, and a value head on a shared trunk is zeroed likewise.
    /// `encodedPrompts`, when given, replaces the chat encoding of `prompts` (one token list per prompt).
    public init(config: PPOConfig, models: PPOModels, tokenizer: any Tokenizer, prompts: [PromptRecord],
                encodedPrompts: [[Int32]]? = nil, seed: UInt64) throws {
        try models.validate()
        self.config = config
        actor = models.actor
        policyAdapter = models.actor.adapter
        reference = models.reference
        rewardModel = models.rewardModel
        self.tokenizer = tokenizer
        self.prompts = prompts
        self.seed = seed
        if let encodedPrompts {
            guard encodedPrompts.count == prompts.count else {
                throw ModelError.shapeMismatch(what: "encoded prompts", expected: prompts.count, got: encodedPrompts.count)
            }
            self.encodedPrompts = encodedPrompts
        } else {
            let renderer = ChatRenderer(tokenizer: tokenizer)
            self.encodedPrompts = try prompts.map { try renderer.prefix($0.chat) }
        }
        controller = config.controller
        actorOptimizer = AdamW(model: models.actor, options: AdamW.Options(weightDecay: 0))
        if case .adapter(let lora, _) = models.rewardModel { lora.isTrainable = false }
        if config.reward == .groupBaseline {
            criticState = nil
        } else {
            criticState = try PPOCriticState(models.critic, actor: models.actor, copyHead: config.copyValueHead)
        }
    }

    /// Sets up the classic four models: actor and reference from `sft` (two copies), reward model and a whole-model
    /// critic from `rewardModel`.
    public convenience init(config: PPOConfig, sft: LlamaModel, reference: LlamaModel, rewardModel: LlamaModel, critic: LlamaModel,
                            tokenizer: any Tokenizer, prompts: [PromptRecord], seed: UInt64) throws {
        try self.init(config: config, models: PPOModels(actor: sft, reference: .model(reference), rewardModel: .model(rewardModel),
                                                        critic: .model(critic)),
                      tokenizer: tokenizer, prompts: prompts, seed: seed)
    }

    /// The whole-model critic, if the run has one (a shared-trunk critic is `criticHead`).
    public var critic: LlamaModel? {
        if case .model(let model, _) = criticState { return model }
        return nil
    }

    /// The value head of a critic that shares the actor's trunk (frozen, or through its own adapter).
    public var criticHead: ValueHead? { criticState?.head }

    /// The critic's own LoRA adapter, if it has one.
    public var criticAdapter: LoRAAdapter? {
        if case .adapter(let lora, _, _) = criticState { return lora }
        return nil
    }

    /// The generator for one purpose (`stream`) of iteration `i`.
    func rng(iteration i: Int, stream: UInt64) -> Xoshiro256 {
        Xoshiro256(seed: seed ^ (UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15) ^ (stream &* 0xD1B5_4A32_D192_ED03))
    }

    /// Runs one iteration (rollout, scoring, update, β update) and returns its metrics.
    public func step() throws -> PPOIterationMetrics {
        let startRollout = Date()
        var rollout = try sample()
        let rolloutSeconds = Date().timeIntervalSince(startRollout)
        var noCache: Double?
        if config.measureCacheSpeedup && iteration == 0 { noCache = try noCacheTokensPerSecond(rollout) }
        let startScoring = Date()
        try score(&rollout)
        let scoringSeconds = Date().timeIntervalSince(startScoring)
        let startUpdate = Date()
        let update = try optimise(rollout)
        let updateSeconds = Date().timeIntervalSince(startUpdate)
        let lengths = rollout.responses.map(\.tokens.count)
        let gold = rollout.gold.compactMap { $0 }
        let klSums = rollout.kl.map { $0.reduce(0, +) }
        var metrics = PPOIterationMetrics(
            iteration: iteration, rmScoreMean: Statistics.mean(rollout.rmScores), goldScoreMean: gold.isEmpty ? nil : Statistics.mean(gold),
            rewardMean: Statistics.mean(rollout.scores), klMean: Statistics.mean(klSums), beta: controller.beta, entropy: update.entropy,
            policyLoss: update.policyLoss, valueLoss: update.valueLoss, approxKL: update.approxKL,
            clipFraction: update.clipFraction, valueClipFraction: update.valueClipFraction, meanRatio: update.meanRatio,
            responseLengthMean: Statistics.mean(lengths.map(Double.init)), responseLengthMax: lengths.max() ?? 0,
            eosFraction: Statistics.mean(rollout.responses.map { $0.hasEOS ? 1 : 0 }), generationSeconds: rolloutSeconds,
            trainingSeconds: scoringSeconds + updateSeconds,
            rolloutTokensPerSecond: Double(lengths.reduce(0, +)) / max(rolloutSeconds, 1e-9),
            noCacheTokensPerSecond: noCache,
            slices: PPOSliceScores.bySlice(prompts: rollout.promptTexts, rm: rollout.rmScores, gold: rollout.gold))
        metrics.rolloutSeconds = rolloutSeconds
        metrics.scoringSeconds = scoringSeconds
        metrics.updateSeconds = updateSeconds
        controller.update(observedKL: metrics.klMean, sequences: rollout.count)
        metrics.diagnostics = PPODiagnostics(rollout, gradNorm: actorOptimizer.takeMeanGradientNorm() ?? 0, config: config)
        iteration += 1
        history.append(metrics)
        return metrics
    }

    /// Sampling options of rollouts.
    var samplingOptions: SamplingOptions {
        SamplingOptions(temperature: Float(config.temperature), maxNewTokens: config.maxNewTokens, stopAtEOS: true, useKVCache: true)
    }

    /// Runs `body` with `lora` as the actor's adapter (nil: the bare base), then puts the policy's adapter back.
    func withActorAdapter<T>(_ lora: LoRAAdapter?, _ body: () throws -> T) throws -> T {
        defer { restorePolicyAdapter() }
        if let lora { try actor.attach(lora, freezingBase: false) } else { actor.detachAdapter() }
        return try body()
    }

    /// Re-attaches the policy's adapter (the actor's normal state).
    private func restorePolicyAdapter() {
        if let policyAdapter { try? actor.attach(policyAdapter, freezingBase: false) } else { actor.detachAdapter() }
    }
}
