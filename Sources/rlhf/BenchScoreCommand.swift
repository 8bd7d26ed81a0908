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

    /// `--precision` and `--json`.
    @OptionGroup var output: InferenceBenchOptions

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
        output.apply(to: model)
        try BenchModelOption.check(length: seq, fits: model, what: "--seq")
        var r = try ModelBenchmark.score(model: model, batch: batch, seqLen: seq, seconds: seconds)
        r.name = "score \(source.label) B=\(batch) T=\(seq)"
        output.print(r)
    }
}
