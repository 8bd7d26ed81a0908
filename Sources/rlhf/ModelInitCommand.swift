import ArgumentParser
import Foundation
import Model

/// `rlhf model init`: write a randomly initialised checkpoint.
struct ModelInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write a randomly initialised checkpoint (config.json, model.safetensors, tokenizer).")

    @Option(help: "Model size: tiny or small.")
    var preset: ModelPreset

    @Option(help: "Random seed of the initialisation.")
    var seed: UInt64 = 0

    @Option(help: "Output checkpoint directory.")
    var out: String

    @Flag(help: "Make a scalar-head model (LlamaForSequenceClassification, score.weight) instead of a causal LM.")
    var scalarHead = false

    func run() throws {
        let config = scalarHead ? preset.config.withScalarHead() : preset.config
        let model = try LlamaModel(config: config, seed: seed)
        let url = URL(fileURLWithPath: out)
        try Checkpoint.save(model, tokenizer: ByteTokenizer(), to: url)
        print("wrote \(preset.rawValue) checkpoint (\(model.parameterCount) parameters, seed \(seed)) to \(url.path)")
    }
}
