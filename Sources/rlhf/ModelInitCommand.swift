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
    var preset: ModelPreset?

    /// A directory whose config.json gives the sizes instead of a preset (e.g. SmolLM2-135M's).
    @Option(help: "A directory whose config.json gives the sizes instead of --preset (e.g. a real model's).")
    var config: String?

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

    /// Checks the arguments before running.
    func validate() throws {
        if (preset == nil) == (config == nil) { throw ValidationError("give exactly one of --preset and --config") }
    }

    /// Runs the command.
    func run() throws {
        let base = try config.map { try Checkpoint.loadConfig(from: URL(fileURLWithPath: $0)) } ?? preset!.config
        var modelConfig = scalarHead ? base.withScalarHead() : base
        if let initializerRange { modelConfig.initializerRange = initializerRange }
        let model = try LlamaModel(config: modelConfig, seed: seed)
        let url = URL(fileURLWithPath: out)
        try Checkpoint.save(model, tokenizer: ByteTokenizer(), to: url, dtype: dtype)
        let source = preset?.rawValue ?? "config.json"
        print("wrote \(source) checkpoint (\(model.parameterCount) parameters, seed \(seed)) to \(url.path)")
    }
}
