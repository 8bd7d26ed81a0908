import ArgumentParser
import Foundation
import Model

/// `rlhf model logits`: logits (or scalar values) at every position of a token sequence.
struct ModelLogitsCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "logits", abstract: "Print logits at every position of a token sequence.")

    /// Checkpoint directory or GGUF file.
    @Argument(help: "Checkpoint directory or GGUF file.")
    var directory: String

    /// Comma-separated token ids, e.g. 256,72,105.
    @Option(help: "Comma-separated token ids, e.g. 256,72,105.")
    var tokens: String

    /// Print JSON {\"logits\": [[...], ...]} (scalar-head models: {\"values\": [...]}).
    @Flag(help: "Print JSON {\"logits\": [[...], ...]} (scalar-head models: {\"values\": [...]}).")
    var json = false

    /// An optional LoRA adapter on the base.
    @OptionGroup var adapter: AdapterOption

    /// Checks the arguments before running.
    func validate() throws {
        _ = try TokenIDs.parse(tokens)
    }

    /// Runs the command.
    func run() throws {
        let model = try adapter.loadModel(at: URL(fileURLWithPath: directory))
        let ids = try TokenIDs.parse(tokens)
        let out = try model.forward(Batch(sequences: [ids], padToken: model.config.padTokenId))
        let V = model.config.vocabSize
        if model.config.hasScalarHead {
            print(json ? "{\"values\": [\(out.values.map { "\($0)" }.joined(separator: ", "))]}" : out.values.map { "\($0)" }.joined(separator: " "))
            return
        }
        let rows = (0..<ids.count).map { t in out.logits[(t * V)..<((t + 1) * V)].map { "\($0)" }.joined(separator: json ? ", " : " ") }
        if json {
            print("{\"logits\": [" + rows.map { "[\($0)]" }.joined(separator: ", ") + "]}")
        } else {
            rows.enumerated().forEach { print("\($0.offset): \($0.element)") }
        }
    }
}
