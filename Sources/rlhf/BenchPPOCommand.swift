import ArgumentParser
import Benchmarks
import Foundation
import Model
import Training

/// `rlhf bench ppo`: PPO iterations of a LoRA policy on random prompts, split into rollout, scoring and update.
struct BenchPPOCommand: ParsableCommand {
    /// Command name and help.
    static let configuration = CommandConfiguration(commandName: "ppo",
        abstract: "Time PPO iterations of a LoRA policy (rollout, scoring, update) on random prompts.",
        discussion: "The reference is the policy with its adapter off; the reward model is a second adapter with a score head "
            + "on the same base; the critic a value head on the frozen trunk (or, with --critic adapter, its own adapter). "
            + "bench/torch_ppo.py does the same work in PyTorch with peft.")

    /// The model to time.
    @OptionGroup var source: BenchModelOption

    /// Rollouts per iteration.
    @Option(help: "Rollouts (sequences) per iteration.")
    var rollouts: Int = 64

    /// Prompt length.
    @Option(help: "Random prompt tokens per rollout (after a BOS).")
    var promptLength: Int = 64

    /// New tokens per rollout.
    @Option(help: "New tokens sampled per rollout.")
    var newTokens: Int = 64

    /// Update minibatch.
    @Option(help: "Sequences per update minibatch.")
    var minibatch: Int = 4

    /// Epochs.
    @Option(help: "PPO epochs over each rollout.")
    var epochs: Int = 1

    /// Scoring chunk.
    @Option(help: "Sequences per scoring forward.")
    var scoringChunk: Int = 8

    /// LoRA rank.
    @Option(help: "LoRA rank of the policy (and reward/critic adapters); alpha is twice the rank, all seven projections.")
    var rank: Int = 16

    /// Critic kind.
    @Option(help: "The critic: head (a value head on the frozen trunk) or adapter (a trunk with its own adapter).")
    var critic: String = "head"

    /// Scoring path.
    @Option(help: "Scoring and update path: chunked (the chunked LM head) or full-logits (whole (B,T,V) logits, as before).")
    var scoring: String = "chunked"

    /// Rollout precision.
    @Option(help: "Precision of the rollout's sampling: auto (bf16 on CPUs with AVX-512 BF16, else fp32), fp32 or bf16; the update follows --base-precision (a bf16 rollout's old log-probs are scored again unless the base is bf16).")
    var rolloutPrecision: BenchPrecision = .fp32

    /// Scoring precision.
    @Option(help: "Precision of the reward model's and the reference's scoring passes: auto, fp32 or bf16.")
    var scoringPrecision: BenchPrecision = .fp32

    /// Base precision.
    @Option(help: "Precision of the frozen base's products in the update: fp32 or bf16 (needs AVX-512 BF16); with bf16 a bf16 rollout's log-probs are the update's, so scoring takes them from the sampler.")
    var basePrecision: String = "fp32"

    /// Timed iterations.
    @Option(help: "Timed iterations after the warm-up ones.")
    var iterations: Int = 1

    /// Warm-up iterations.
    @Option(help: "Untimed warm-up iterations first.")
    var warmup: Int = 1

    /// Print one JSON object.
    @Flag(help: "Print one JSON object.")
    var json = false

    /// Thread settings.
    @OptionGroup var threads: ThreadsOption

    /// Checks the arguments before running.
    func validate() throws {
        for (name, value) in [("--rollouts", rollouts), ("--prompt-length", promptLength), ("--new-tokens", newTokens),
                              ("--minibatch", minibatch), ("--epochs", epochs), ("--scoring-chunk", scoringChunk), ("--rank", rank),
                              ("--iterations", iterations)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        if warmup < 0 { throw ValidationError("--warmup must be at least 0") }
        if !["head", "adapter"].contains(critic) { throw ValidationError("--critic must be head or adapter") }
        guard let base = BasePrecision(rawValue: basePrecision) else {
            throw ValidationError("--base-precision must be fp32 or bf16, got '\(basePrecision)'")
        }
        if !base.isSupported { throw ValidationError("--base-precision bf16: this CPU has no AVX-512 BF16; use fp32") }
        if !["chunked", "full-logits"].contains(scoring) { throw ValidationError("--scoring must be chunked or full-logits") }
    }

    /// Runs the command.
    func run() throws {
        threads.apply()
        let model = try source.load()
        try BenchModelOption.check(length: 1 + promptLength + newTokens, fits: model, what: "--prompt-length + --new-tokens")
        var s = PPOBenchmark.Settings()
        s.rollouts = rollouts
        s.promptLength = promptLength
        s.newTokens = newTokens
        s.minibatch = minibatch
        s.epochs = epochs
        s.scoringChunk = scoringChunk
        s.lora = LoRAConfig(rank: rank, alpha: Float(2 * rank))
        s.criticAdapter = critic == "adapter"
        s.fullLogits = scoring == "full-logits"
        s.iterations = iterations
        s.warmup = warmup
        s.rolloutPrecision = rolloutPrecision.resolved
        s.scoringPrecision = scoringPrecision.resolved
        s.basePrecision = BasePrecision(rawValue: basePrecision) ?? .fp32
        var r = try PPOBenchmark.run(base: model, settings: s)
        r.name = "\(r.name) \(source.label)"
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(r), as: UTF8.self))
        } else {
            print(String(format: "%@: %.2f s/iteration (rollout %.2f s, scoring %.2f s, update %.2f s), %.0f response tokens/s, "
                         + "%d threads, peak RSS %.0f MiB; %@", r.name, r.msPerIteration / 1000, r.rolloutSeconds, r.scoringSeconds,
                         r.updateSeconds, r.tokensPerSecond, r.threads, r.peakRSSMegabytes, r.path))
        }
    }
}
