import ArgumentParser
import Foundation
import Model

/// `rlhf bench generate`: sampling throughput.
struct BenchGenerateCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "generate",
        abstract: "Time sampling of new tokens for a batch of prompts.")

    /// Model size: tiny or small.
    @Option(help: "Model size: tiny or small.")
    var preset: ModelPreset

    /// Number of prompts B.
    @Option(help: "Number of prompts B.")
    var batch: Int = 16

    /// New tokens per prompt.
    @Option(help: "New tokens per prompt.")
    var newTokens: Int = 128

    /// Recompute the full forward for every token instead of using the KV cache.
    @Flag(help: "Recompute the full forward for every token instead of using the KV cache.")
    var noKVCache = false

    /// Print one JSON object.
    @Flag(help: "Print one JSON object.")
    var json = false

    /// Thread settings.
    @OptionGroup var threads: ThreadsOption

    /// Checks the arguments before running.
    func validate() throws {
        if batch < 1 || newTokens < 1 { throw ValidationError("--batch and --new-tokens must be ≥ 1") }
    }

    /// Runs the command.
    func run() throws {
        threads.apply()
        var r = try Benchmarks.generate(config: preset.config, batch: batch, newTokens: newTokens, useKVCache: !noKVCache)
        r.name = "generate \(preset.rawValue) B=\(batch) new=\(newTokens) kv-cache=\(!noKVCache)"
        BenchOutput.print(r, json: json)
    }
}
