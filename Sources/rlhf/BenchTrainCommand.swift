import ArgumentParser
import Benchmarks
import Foundation
import Model

/// `rlhf bench train`: full training steps on random tokens, of every weight or of a LoRA adapter on a frozen base.
struct BenchTrainCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "train",
        abstract: "Time training steps (forward, backward, AdamW) on random tokens; with --lora-rank, of a LoRA adapter on a frozen base.")

    /// The model to time.
    @OptionGroup var source: BenchModelOption

    /// Batch size B.
    @Option(help: "Batch size B.")
    var batch: Int = 8

    /// Sequence length T.
    @Option(help: "Sequence length T.")
    var seq: Int = 256

    /// Seconds to time (after one warm-up step).
    @Option(help: "Seconds to time (after one warm-up step).")
    var seconds: Double = 10

    /// Print one JSON object.
    @Flag(help: "Print one JSON object.")
    var json = false

    /// Thread settings.
    @OptionGroup var threads: ThreadsOption

    /// LoRA rank; 0 trains every weight.
    @Option(help: "Train a LoRA adapter of this rank on the frozen base instead of every weight (0: full training).")
    var loraRank: Int = 0

    /// LoRA alpha.
    @Option(help: "LoRA alpha (the update is scaled by alpha/r).")
    var loraAlpha: Float = 32

    /// Precision of the frozen base's products under LoRA.
    @Option(help: "With --lora-rank: the frozen base's forward and input-gradient products in fp32 or bf16 (AVX-512 BF16, fp32 accumulation; adapters stay fp32).")
    var loraBasePrecision: String = "fp32"

    /// Comma-separated LoRA targets.
    @Option(help: "Comma-separated LoRA target projections.")
    var loraTargets = LoRATarget.allCases.map(\.rawValue).joined(separator: ",")

    /// The parsed LoRA targets.
    private func targets() throws -> [LoRATarget] {
        try loraTargets.split(separator: ",").map {
            guard let t = LoRATarget(rawValue: $0.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--lora-targets: '\($0)' is not one of " + LoRATarget.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return t
        }
    }

    /// Checks the arguments before running.
    func validate() throws {
        if batch < 1 || seq < 2 { throw ValidationError("--batch must be ≥ 1 and --seq ≥ 2") }
        if loraRank < 0 { throw ValidationError("--lora-rank must be ≥ 0") }
        if loraRank > 0, try targets().isEmpty { throw ValidationError("--lora-targets needs at least one projection") }
        guard let precision = BasePrecision(rawValue: loraBasePrecision) else {
            throw ValidationError("--lora-base-precision must be fp32 or bf16, got '\(loraBasePrecision)'")
        }
        if precision == .bf16 && loraRank == 0 { throw ValidationError("--lora-base-precision bf16 needs --lora-rank (the base must be frozen)") }
        if !precision.isSupported { throw ValidationError("--lora-base-precision bf16: this CPU has no AVX-512 BF16; use fp32") }
    }

    /// Runs the command.
    func run() throws {
        threads.apply()
        let model = try source.load()
        try BenchModelOption.check(length: seq, fits: model, what: "--seq")
        var lora = ""
        if loraRank > 0 {
            let adapter = try LoRAAdapter(config: LoRAConfig(rank: loraRank, alpha: loraAlpha, targets: try targets()), model: model.config, seed: 1)
            try model.attach(adapter, freezingBase: true)
            try model.setBasePrecision(BasePrecision(rawValue: loraBasePrecision) ?? .fp32)
            lora = " LoRA r=\(loraRank) on \(adapter.config.targets.count) projections (\(adapter.parameterCount) trained), "
                + "base \(model.basePrecision.rawValue)"
        }
        var r = try ModelBenchmark.train(model: model, batch: batch, seqLen: seq, seconds: seconds)
        r.name = "train \(source.label) B=\(batch) T=\(seq)" + lora
        // A frozen base skips the weight-gradient products: about 2/3 of a full step's analytic FLOPs.
        if loraRank > 0 {
            r.gflops *= 2.0 / 3.0
            r.path = model.basePrecision.pathDescription
        }
        BenchOutput.print(r, json: json)
    }
}
