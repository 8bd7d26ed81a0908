import ArgumentParser
import Foundation
import Model

/// `rlhf model convert`: rewrite a checkpoint's weights as one `model.safetensors` in a chosen dtype.
struct ModelConvertCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Copy a checkpoint (one file or shards; f32, f16 or bf16) with its weights as one model.safetensors in --dtype; "
            + "with --adapter, the LoRA adapter merged into the weights.")

    /// Source checkpoint directory.
    @Argument(help: "Source checkpoint directory.")
    var directory: String

    /// Output directory (must not exist).
    @Option(help: "Output directory (must not exist).")
    var out: String

    /// Weights dtype of the copy.
    @Option(help: "Weights dtype: f32 or bf16 (half the size).")
    var dtype: CheckpointDType = .f32

    /// An optional LoRA adapter, merged into the copy's weights.
    @OptionGroup var adapter: AdapterOption

    /// Checks the arguments before running.
    func validate() throws {
        if FileManager.default.fileExists(atPath: out) { throw ValidationError("--out \(out) already exists; pick a new directory") }
    }

    /// Runs the command.
    func run() throws {
        let source = URL(fileURLWithPath: directory), target = URL(fileURLWithPath: out)
        guard !Checkpoint.isGGUF(source) else { throw ValidationError("\(directory) is a GGUF file; convert takes an HF checkpoint directory") }
        let model = try adapter.loadModel(at: source)
        model.mergeAdapter()
        try FileManager.default.copyItem(at: source, to: target)
        try Checkpoint.replaceWeights(model, in: target, dtype: dtype)
        let merged = adapter.adapter.map { " with the adapter \($0) merged in" } ?? ""
        print("wrote \(model.parameterCount) parameters as \(dtype.rawValue)\(merged) to \(target.path)")
    }
}
