import EngineCore
import Training

extension PPOConfig {
    /// Reads the params of a `ppo` node; every bad value names its param.
    init(_ p: Params) throws {
        self.init()
        iterations = try p.int("iterations", default: iterations, in: 1...100_000)
        promptsPerIteration = try p.int("prompts_per_iteration", default: promptsPerIteration, in: 1...4096)
        samplesPerPrompt = try p.int("samples_per_prompt", default: samplesPerPrompt, in: 1...64)
        minibatchSize = try p.int("minibatch_size", default: minibatchSize, in: 1...4096)
        ppoEpochs = try p.int("ppo_epochs", default: ppoEpochs, in: 1...100)
        learningRate = try p.double("learning_rate", default: learningRate, in: 0...1)
        criticLearningRate = try p.double("critic_learning_rate", default: criticLearningRate, in: 0...1)
        clipRange = try p.double("cliprange", default: clipRange, in: 0...10)
        clipRangeValue = try p.double("cliprange_value", default: clipRangeValue, in: 0...1e6)
        valueCoefficient = try p.double("vf_coef", default: valueCoefficient, in: 0...1e3)
        entropyCoefficient = try p.double("entropy_coef", default: entropyCoefficient, in: 0...10)
        gamma = try p.double("gamma", default: gamma, in: 0...1)
        lambda = try p.double("lambda", default: lambda, in: 0...1)
        whitenAdvantages = try p.bool("whiten_advantages", default: whitenAdvantages)
        klEstimator = KLEstimator(rawValue: try p.choice("kl_estimator", default: "k1", among: KLEstimator.allCases.map(\.rawValue)))!
        klCoefficient = try p.double("kl_coef", default: klCoefficient, in: 0...100)
        let control = try p.choice("kl_control", default: "fixed", among: ["fixed", "adaptive"])
        if control == "adaptive" {
            klTarget = try p.double("kl_target", default: 6, in: 1e-6...1e6)
        } else if p.values["kl_target"] != nil {
            throw p.error("kl_target", "only applies with \"kl_control\": \"adaptive\"")
        }
        klHorizon = try p.double("kl_horizon", default: klHorizon, in: 1...1e9)
        reward = RewardMode(rawValue: try p.choice("reward", default: "rm", among: RewardMode.allCases.map(\.rawValue)))!
        groupNormalise = try p.bool("group_normalise", default: groupNormalise)
        temperature = try p.double("temperature", default: temperature, in: 0.05...10)
        maxNewTokens = try p.int("max_new_tokens", default: maxNewTokens, in: 1...4096)
        missingEOSPenalty = try p.double("missing_eos_penalty", default: missingEOSPenalty, in: -1e6...1e6)
        copyValueHead = try p.choice("critic_head", default: "zero", among: ["zero", "copy"]) == "copy"
        checkpointEvery = try p.int("checkpoint_every", default: checkpointEvery, in: 1...100_000)
        scoringChunk = try p.int("scoring_chunk", default: scoringChunk, in: 1...4096)
        measureCacheSpeedup = try p.bool("measure_cache_speedup", default: measureCacheSpeedup)
        if reward != .rm && samplesPerPrompt < 2 {
            throw p.error("samples_per_prompt", "must be at least 2 with \"reward\": \"\(reward.rawValue)\" (it compares completions of one prompt)")
        }
    }
}
