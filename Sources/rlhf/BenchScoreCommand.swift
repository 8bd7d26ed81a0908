import ArgumentParser
import Benchmarks
import Foundation
import Model

/// `rlhf bench score`: forward-only next-token log-probs of random tokens.
struct BenchScoreCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "score",
        abstract: "Time forward-only scoring (the log-prob of every next token) of random tokens.")

    /// The model to time.
    @OptionGroup var source: BenchModelOption

    /// Batch size B.
    @Option(help: "Batch size B.")
    var batch: Int = 8

    /// Sequence length T.
    @Option(help: "Sequence length T.")
    var seq: Int = 256

    /// Seconds to time (after one warm-up call).
    @Option(help: "Seconds to time (after one warm-up call).")
    var seconds: Double = 10

    /// Precision of the inference products.
    @Option(help: "Precision of the inference products: auto (bf16 on CPUs with AVX-512 BF16, else fp32), fp32 or bf16.")
    var precision: BenchPrecision = .auto

    /// Print one JSON object.
    @Flag(help: "Print one JSON object.")
    var json = false

    /// Thread settings.
    @OptionGroup var threads: ThreadsOption

    /// Checks the arguments before running.
    func validate() throws {
        if batch < 1 || seq < 2 { throw ValidationError("--batch must be ≥ 1 and --seq ≥ 2") }
    }

    /// Runs the command.
    func run() throws {
        threads.apply()
        let model = try source.load()
        model.inferencePrecision = precision.resolved
        try BenchModelOption.check(length: seq, fits: model, what: "--seq")
        var r = try ModelBenchmark.score(model: model, batch: batch, seqLen: seq, seconds: seconds)
        r.name = "score \(source.label) B=\(batch) T=\(seq)"
        BenchOutput.print(r, json: json)
    }
}
