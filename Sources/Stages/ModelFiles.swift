import EngineCore
import Foundation
import Model

/// Loading and saving the models stages exchange: HF-layout checkpoints, and PEFT LoRA adapters on a base.
///
/// A model input `R` is a full checkpoint directory or a PEFT adapter directory (what a LoRA stage writes). For
/// an adapter, input `R_base` is the full checkpoint it was trained on, so the adapter and its base both enter
/// the node key by content and no stage copies the base weights (see `ModelFiles+Adapters.swift`).
enum ModelFiles {
    /// The checkpoint directory of input `role`.
    static func directory(_ context: StageContext, role: String) throws -> URL {
        guard let url = context.inputs[role] else {
            throw StagesError.invalidInputs(node: context.node, message: "missing input '\(role)' (a model directory)")
        }
        return url
    }

    /// Loads the model and tokenizer of input `role`; an adapter input is merged into its `role_base`.
    static func load(_ context: StageContext, role: String) throws -> (model: LlamaModel, tokenizer: any Tokenizer) {
        let loaded = try loadInput(context, role: role)
        return (loaded.model, loaded.tokenizer)
    }

    /// Runs `body`, turning model and tokenizer errors into `badInput` errors about `url`.
    static func reading<T>(_ url: URL, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ModelError {
            throw StagesError.badInput(path: url.path, message: "not a usable checkpoint: \(error.description)")
        } catch let error as TokenizerError {
            throw StagesError.badInput(path: url.path, message: "bad tokenizer files: \(error.description)")
        }
    }

    /// Saves `model` with `tokenizer` into output `name`, its weights as the node's `dtype` param.
    static func save(_ model: LlamaModel, tokenizer: any Tokenizer, _ context: StageContext, output name: String) throws {
        let dtype = try CheckpointDTypeParam.read(Params(context))
        try Checkpoint.save(model, tokenizer: tokenizer, to: context.outputs[name]!, dtype: dtype)
    }
}
