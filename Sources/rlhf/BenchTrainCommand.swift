import ArgumentParser
import Benchmarks
import Foundation
import Model

/// `rlhf bench train`: full training steps on random tokens.
struct BenchTrainCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "train",
        abstract: "Time training steps (forward, backward, AdamW) on random tokens.")

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

    /// Checks the arguments before running.
    func validate() throws {
        if batch < 1 || seq < 2 { throw ValidationError("--batch must be ≥ 1 and --seq ≥ 2") }
    }

    /// Runs the command.
    func run() throws {
        threads.apply()
        let model = try source.load()
        try BenchModelOption.check(length: seq, fits: model, what: "--seq")
        var r = try ModelBenchmark.train(model: model, batch: batch, seqLen: seq, seconds: seconds)
        r.name = "train \(source.label) B=\(batch) T=\(seq)"
        BenchOutput.print(r, json: json)
    }
}
