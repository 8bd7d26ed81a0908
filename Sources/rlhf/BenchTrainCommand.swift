import ArgumentParser
import Foundation
import Model

/// `rlhf bench train`: full training steps on random tokens.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train",
        abstract: "Time training steps (forward, backward, AdamW) on random tokens.")

    @Option(help: "Model size: tiny or small.")
    var preset: ModelPreset

    @Option(help: "Batch size B.")
    var batch: Int = 8

    @Option(help: "Sequence length T.")
    var seq: Int = 256

    @Option(help: "Seconds to time (after one warm-up step).")
    var seconds: Double = 10

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        if batch < 1 || seq < 2 { throw ValidationError("--batch must be ≥ 1 and --seq ≥ 2") }
        if seq > preset.config.maxPositionEmbeddings {
            throw ValidationError("--seq \(seq) exceeds the preset's max_position_embeddings \(preset.config.maxPositionEmbeddings)")
        }
    }

    func run() throws {
        threads.apply()
        var r = try Benchmarks.train(config: preset.config, batch: batch, seqLen: seq, seconds: seconds)
        r.name = "train \(preset.rawValue) B=\(batch) T=\(seq)"
        BenchOutput.print(r, json: json)
    }
}
