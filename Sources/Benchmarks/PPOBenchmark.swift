import Foundation
import Model
import Training
import World

/// `rlhf bench ppo`: the wall time of PPO iterations on a LoRA policy at a real model's shapes, split into rollout,
/// scoring and update, with random prompts (what `bench/torch_ppo.py` does in PyTorch).
public enum PPOBenchmark {
    /// What one benchmark run does.
    public struct Settings: Sendable {
        /// Rollouts (sequences) per iteration.
        public var rollouts = 64
        /// Tokens per prompt (random, after a BOS).
        public var promptLength = 64
        /// New tokens per rollout.
        public var newTokens = 64
        /// Sequences per update minibatch.
        public var minibatch = 4
        /// Passes over the rollout per iteration.
        public var epochs = 1
        /// Sequences per scoring forward.
        public var scoringChunk = 8
        /// The policy adapter (the reward model's and the critic's adapters, when used, have the same shape).
        public var lora = LoRAConfig(rank: 16, alpha: 32)
        /// The critic: a value head on the frozen trunk (`false`) or a trunk with its own adapter (`true`).
        public var criticAdapter = false
        /// Full-logits scoring and update (the path before issue 19) instead of the chunked head.
        public var fullLogits = false
        /// Timed iterations after the warm-up ones.
        public var iterations = 1
        /// Untimed iterations first.
        public var warmup = 1
        /// Precision of the rollout's sampling.
        public var rolloutPrecision = InferencePrecision.fp32
        /// Precision of the reward model's and the reference's scoring passes.
        public var scoringPrecision = InferencePrecision.fp32
        /// Precision of the frozen base's products in the update (and in every pass that does not pack for bf16
        /// inference); bf16 needs AVX-512 BF16.
        public var basePrecision = BasePrecision.fp32

        /// Defaults: 64 rollouts of 64 + 64 tokens, minibatches of 4, one epoch, LoRA r=16 on all seven projections.
        public init() {}
    }

    /// One benchmark result (JSON keys as `Benchmarks.Result` where they mean the same).
    public struct Result: Codable, Sendable {
        /// What was measured.
        public var name: String
        /// Timed iterations.
        public var iterations: Int
        /// Wall seconds of the timed iterations.
        public var seconds: Double
        /// Sampled response tokens per second of whole iterations (rollout, scoring and update).
        public var tokensPerSecond: Double
        /// Milliseconds per iteration.
        public var msPerIteration: Double
        /// Mean seconds per iteration of the rollout, scoring and update parts.
        public var rolloutSeconds: Double, scoringSeconds: Double, updateSeconds: Double
        /// Mean response length (tokens).
        public var responseLengthMean: Double
        /// Threads of model math.
        public var threads: Int
        /// Peak resident memory of the process, MiB.
        public var peakRSSMegabytes: Double
        /// Which scoring path ran: `chunked-head` or `full-logits`.
        public var scoring: String
        /// The math paths: the rollout's, the RM's and reference's scoring, and the update's.
        public var path: String
    }

    /// Runs the benchmark on `base` (a causal LM; its weights stay frozen, a fresh policy adapter trains).
    public static func run(base: LlamaModel, settings s: Settings, seed: UInt64 = 0) throws -> Result {
        let c = base.config
        let policy = try LoRAAdapter(config: s.lora, model: c, seed: seed &+ 1)
        try base.attach(policy, freezingBase: true)
        try base.setBasePrecision(s.basePrecision)
        let reward = try LoRAAdapter(config: s.lora, model: c, seed: seed &+ 2)
        reward.randomizeB(std: 0.02, seed: seed &+ 3)
        var rng = Xoshiro256(seed: seed &+ 4)
        let head = (0..<c.hiddenSize).map { _ in Float(rng.nextNormal() * 0.02) }
        var critic = PPOCriticModel.frozenTrunk(valueHead: head)
        if s.criticAdapter { critic = .adapter(try LoRAAdapter(config: s.lora, model: c, seed: seed &+ 5), valueHead: head) }
        let models = PPOModels(actor: base, reference: .adapterOff, rewardModel: .adapter(reward, scoreHead: head), critic: critic)
        let vocab = Int32(min(c.vocabSize, 256)) // below the byte tokenizer's specials and above SmolLM2's
        let encoded = (0..<s.rollouts).map { _ in
            [c.bosTokenId] + (0..<s.promptLength).map { _ in 3 + Int32(rng.next() % UInt64(max(vocab - 3, 1))) }
        }
        var config = PPOConfig()
        config.promptsPerIteration = s.rollouts
        config.samplesPerPrompt = 1
        config.minibatchSize = s.minibatch
        config.ppoEpochs = s.epochs
        config.maxNewTokens = s.newTokens
        config.scoringChunk = s.scoringChunk
        config.goldJudge = false
        config.scoringPath = s.fullLogits ? .fullLogits : .chunkedHead
        config.rolloutPrecision = s.rolloutPrecision
        config.scoringPrecision = s.scoringPrecision
        config.oldLogProbsFromRollout = true
        let trainer = try PPOTrainer(config: config, models: models, tokenizer: ByteTokenizer(),
                                     prompts: (0..<s.rollouts).map { PromptRecord(prompt: "bench \($0)") },
                                     encodedPrompts: encoded, seed: seed)
        for _ in 0..<s.warmup { _ = try trainer.step() }
        var timed: [PPOIterationMetrics] = []
        for _ in 0..<max(s.iterations, 1) { timed.append(try trainer.step()) }
        let n = Double(timed.count)
        let rollout = timed.map { $0.rolloutSeconds ?? 0 }.reduce(0, +), scoring = timed.map { $0.scoringSeconds ?? 0 }.reduce(0, +)
        let update = timed.map { $0.updateSeconds ?? 0 }.reduce(0, +)
        let seconds = rollout + scoring + update
        let tokens = timed.map { $0.responseLengthMean * Double(s.rollouts) }.reduce(0, +)
        let scoringName = s.fullLogits ? "full-logits" : "chunked-head"
        return Result(name: "ppo rollouts=\(s.rollouts) prompt=\(s.promptLength) new=\(s.newTokens) mb=\(s.minibatch) "
                          + "epochs=\(s.epochs) lora r=\(s.lora.rank) critic=\(s.criticAdapter ? "adapter" : "head") \(scoringName) "
                          + "rollout \(s.rolloutPrecision.effective.rawValue) scoring \(s.scoringPrecision.effective.rawValue) "
                          + "base \(s.basePrecision.rawValue)",
                      iterations: timed.count, seconds: seconds, tokensPerSecond: tokens / max(seconds, 1e-9),
                      msPerIteration: seconds * 1000 / n, rolloutSeconds: rollout / n, scoringSeconds: scoring / n,
                      updateSeconds: update / n, responseLengthMean: timed.map(\.responseLengthMean).reduce(0, +) / n,
                      threads: ModelBenchmark.threadCount, peakRSSMegabytes: ModelBenchmark.peakResidentMegabytes, scoring: scoringName,
                      path: "rollout: \(s.rolloutPrecision.pathDescription); RM and reference scoring: "
                          + "\(s.scoringPrecision.pathDescription); update: \(s.basePrecision.pathDescription); old log-probs from the "
                          + (trainer.samplerLogProbsAreOldLogProbs ? "rollout" : "scoring pass"))
    }
}
