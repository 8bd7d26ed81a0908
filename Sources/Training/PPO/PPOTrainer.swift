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
    /// The policy being trained (initialised from SFT).
    public let actor: LlamaModel
    /// The frozen SFT policy the KL is measured against.
    let reference: LlamaModel
    /// The frozen reward model.
    let rewardModel: LlamaModel
    /// The value model (initialised from the reward model); nil for `group_baseline`.
    public let critic: LlamaModel?
    /// The actor's optimizer.
    let actorOptimizer: AdamW
    /// The critic's optimizer.
    let criticOptimizer: AdamW?
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

    /// Sets up the models: actor and reference from `sft`, RM and critic from `rewardModel` (head zeroed
    /// unless `config.copyValueHead`).
    public init(config: PPOConfig, sft: LlamaModel, reference: LlamaModel, rewardModel: LlamaModel, critic: LlamaModel,
         tokenizer: any Tokenizer, prompts: [PromptRecord], seed: UInt64) throws {
        self.config = config
        actor = sft
        self.reference = reference
        self.rewardModel = rewardModel
        self.tokenizer = tokenizer
        self.prompts = prompts
        self.seed = seed
        let format = ChatFormat(tokenizer: tokenizer)
        encodedPrompts = prompts.map { format.encode(prompt: $0.prompt, response: nil).tokens }
        controller = config.controller
        actorOptimizer = AdamW(model: actor, options: AdamW.Options(weightDecay: 0))
        if config.reward == .groupBaseline {
            self.critic = nil
            criticOptimizer = nil
        } else {
            if !config.copyValueHead {
                let head = try critic.parameter(named: "score.weight")
                try critic.setParameter(named: "score.weight", to: [Float](repeating: 0, count: head.count))
            }
            self.critic = critic
            criticOptimizer = AdamW(model: critic, options: AdamW.Options(weightDecay: 0))
        }
    }

    /// The generator for one purpose (`stream`) of iteration `i`.
    func rng(iteration i: Int, stream: UInt64) -> Xoshiro256 {
        Xoshiro256(seed: seed ^ (UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15) ^ (stream &* 0xD1B5_4A32_D192_ED03))
    }

    /// Runs one iteration (rollout, scoring, update, β update) and returns its metrics.
    public func step() throws -> PPOIterationMetrics {
        let startGeneration = Date()
        var rollout = try sample()
        let generationSeconds = Date().timeIntervalSince(startGeneration)
        var noCache: Double?
        if config.measureCacheSpeedup && iteration == 0 { noCache = try noCacheTokensPerSecond(rollout) }
        let startTraining = Date()
        try score(&rollout)
        let update = try optimise(rollout)
        let trainingSeconds = Date().timeIntervalSince(startTraining)
        let lengths = rollout.responses.map(\.tokens.count)
        let gold = rollout.gold.compactMap { $0 }
        let klSums = rollout.kl.map { $0.reduce(0, +) }
        var metrics = PPOIterationMetrics(
            iteration: iteration, rmScoreMean: Statistics.mean(rollout.rmScores), goldScoreMean: gold.isEmpty ? nil : Statistics.mean(gold),
            rewardMean: Statistics.mean(rollout.scores), klMean: Statistics.mean(klSums), beta: controller.beta, entropy: update.entropy,
            policyLoss: update.policyLoss, valueLoss: update.valueLoss, approxKL: update.approxKL,
            clipFraction: update.clipFraction, valueClipFraction: update.valueClipFraction, meanRatio: update.meanRatio,
            responseLengthMean: Statistics.mean(lengths.map(Double.init)), responseLengthMax: lengths.max() ?? 0,
            eosFraction: Statistics.mean(rollout.responses.map { $0.hasEOS ? 1 : 0 }), generationSeconds: generationSeconds,
            trainingSeconds: trainingSeconds,
            rolloutTokensPerSecond: Double(lengths.reduce(0, +)) / max(generationSeconds, 1e-9),
            noCacheTokensPerSecond: noCache,
            slices: PPOSliceScores.bySlice(prompts: rollout.promptTexts, rm: rollout.rmScores, gold: rollout.gold))
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
}
