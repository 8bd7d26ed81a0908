import ArgumentParser
import Foundation
import Model

/// `--preset P` or `--model DIR`: the model a benchmark times.
struct BenchModelOption: ParsableArguments {
    /// Model size with random weights: tiny or small.
    @Option(help: "Model size with random weights: tiny or small.")
    var preset: ModelPreset?

    /// An HF-layout model directory to time instead of a preset.
    @Option(help: "An HF-layout model directory (config.json, model.safetensors) to time instead of --preset.")
    var model: String?

    /// Checks the arguments before running.
    func validate() throws {
        if (preset == nil) == (model == nil) { throw ValidationError("give exactly one of --preset and --model") }
    }

    /// What the results are named after: the preset or the directory's last component.
    var label: String { preset?.rawValue ?? URL(fileURLWithPath: model ?? "").lastPathComponent }

    /// The model: loaded from `--model`, or with random weights (seed 0) at the preset.
    func load() throws -> LlamaModel {
        if let model { return try Checkpoint.loadModel(from: URL(fileURLWithPath: model)) }
        return try LlamaModel(config: preset!.config, seed: 0)
    }

    /// Throws a usage error when a sequence of `length` tokens does not fit `model`.
    static func check(length: Int, fits model: LlamaModel, what: String) throws {
        if length > model.config.maxPositionEmbeddings {
            throw ValidationError("\(what) \(length) exceeds the model's max_position_embeddings \(model.config.maxPositionEmbeddings)")
        }
    }
}

/// `--precision auto|fp32|bf16` of the inference benchmarks.
enum BenchPrecision: String, ExpressibleByArgument, CaseIterable {
    /// bf16 where the CPU has AVX-512 BF16, else fp32.
    case auto
    /// fp32 throughout.
    case fp32
    /// bf16 products (fp32 where the CPU lacks AVX-512 BF16).
    case bf16

    /// The model setting this choice stands for on this machine.
    var resolved: InferencePrecision {
        switch self {
        case .auto: return .fastest
        case .fp32: return .fp32
        case .bf16: return .bf16
        }
    }
}
