import ArgumentParser
import Foundation
import Model

/// `rlhf bench generate`: sampling throughput.
struct BenchGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate",
        abstract: "Time sampling of new tokens for a batch of prompts.")

    @Option(help: "Model size: tiny or small.")
    var preset: ModelPreset

    @Option(help: "Number of prompts B.")
    var batch: Int = 16

    @Option(help: "New tokens per prompt.")
    var newTokens: Int = 128

    @Flag(help: "Recompute the full forward for every token instead of using the KV cache.")
    var noKVCache = false

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        if batch < 1 || newTokens < 1 { throw ValidationError("--batch and --new-tokens must be ≥ 1") }
    }

    func run() throws {
        threads.apply()
        var r = try Benchmarks.generate(config: preset.config, batch: batch, newTokens: newTokens, useKVCache: !noKVCache)
        r.name = "generate \(preset.rawValue) B=\(batch) new=\(newTokens) kv-cache=\(!noKVCache)"
        BenchOutput.print(r, json: json)
    }
}
