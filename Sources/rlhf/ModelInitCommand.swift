import ArgumentParser
import Foundation
import Model

/// `rlhf model init`: write a randomly initialised checkpoint.
struct ModelInitCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write a randomly initialised checkpoint (config.json, model.safetensors, tokenizer).")

    /// Model size: tiny or small.
    @Option(help: "Model size: tiny or small.")
    var preset: ModelPreset

    /// Random seed of the initialisation.
    @Option(help: "Random seed of the initialisation.")
    var seed: UInt64 = 0

    /// Output checkpoint directory.
    @Option(help: "Output checkpoint directory.")
    var out: String

    /// Make a scalar-head model (LlamaForSequenceClassification, score.weight) instead of a causal LM.
    @Flag(help: "Make a scalar-head model (LlamaForSequenceClassification, score.weight) instead of a causal LM.")
    var scalarHead = false

    /// Std of the normal initialisation (config initializer_range).
    @Option(help: "Std of the normal initialisation (config initializer_range, default 0.02).")
    var initializerRange: Float?

    /// Weights dtype of the written checkpoint.
    @Option(help: "Weights dtype: f32 or bf16 (half the size).")
    var dtype: CheckpointDType = .f32

    /// Runs the command.
    func run() throws {
        var config = scalarHead ? preset.config.withScalarHead() : preset.config
        if let initializerRange { config.initializerRange = initializerRange }
        let model = try LlamaModel(config: config, seed: seed)
        let url = URL(fileURLWithPath: out)
        try Checkpoint.save(model, tokenizer: ByteTokenizer(), to: url, dtype: dtype)
        print("wrote \(preset.rawValue) checkpoint (\(model.parameterCount) parameters, seed \(seed)) to \(url.path)")
    }
}
