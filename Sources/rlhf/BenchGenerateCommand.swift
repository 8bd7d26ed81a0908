import ArgumentParser
import Benchmarks
import Foundation
import Model

/// `rlhf bench generate`: sampling throughput.
struct BenchGenerateCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "generate",
        abstract: "Time sampling of new tokens for a batch of prompts.")

    /// The model to time.
    @OptionGroup var source: BenchModelOption

    /// Number of prompts B.
    @Option(help: "Number of prompts B.")
    var batch: Int = 16

    /// New tokens per prompt.
    @Option(help: "New tokens per prompt.")
    var newTokens: Int = 128

    /// Recompute the full forward for every token instead of using the KV cache.
    @Flag(help: "Recompute the full forward for every token instead of using the KV cache.")
    var noKVCache = false

    /// `--precision` and `--json`.
    @OptionGroup var output: InferenceBenchOptions

    /// Thread settings.
    @OptionGroup var threads: ThreadsOption

    /// Checks the arguments before running.
    func validate() throws {
        if batch < 1 || newTokens < 1 { throw ValidationError("--batch and --new-tokens must be ≥ 1") }
    }

    /// Runs the command.
    func run() throws {
        threads.apply()
        let model = try source.load()
        output.apply(to: model)
        try BenchModelOption.check(length: 16 + newTokens, fits: model, what: "16 prompt tokens + --new-tokens")
        var r = try ModelBenchmark.generate(model: model, batch: batch, newTokens: newTokens, useKVCache: !noKVCache)
        r.name = "generate \(source.label) B=\(batch) new=\(newTokens) kv-cache=\(!noKVCache)"
        output.print(r)
    }
}
