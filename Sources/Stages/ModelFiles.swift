import EngineCore
import Foundation
import Model

/// Loading and saving the HF-layout checkpoints stages exchange, with errors naming the directory.
enum ModelFiles {
    /// The checkpoint directory of input `role`.
    static func directory(_ context: StageContext, role: String) throws -> URL {
        guard let url = context.inputs[role] else {
            throw StagesError.invalidInputs(node: context.node, message: "missing input '\(role)' (a model directory)")
        }
        return url
    }

    /// Loads the model and tokenizer of input `role`.
    static func load(_ context: StageContext, role: String) throws -> (model: LlamaModel, tokenizer: any Tokenizer) {
        let url = try directory(context, role: role)
        do {
            return try Checkpoint.load(from: url)
        } catch let error as ModelError {
            throw StagesError.badInput(path: url.path, message: "not a usable checkpoint: \(error.description)")
        } catch let error as TokenizerError {
            throw StagesError.badInput(path: url.path, message: "bad tokenizer files: \(error.description)")
        }
    }

    /// The chat renderer of input `role`'s checkpoint with its `tokenizer`: the checkpoint's chat template for
    /// tokenizers without role tokens, `ChatFormat` otherwise (see `ChatRenderer.load`).
    static func renderer(_ context: StageContext, role: String, tokenizer: any Tokenizer) throws -> ChatRenderer {
        let url = try directory(context, role: role)
        do {
            return try ChatRenderer.load(from: url, tokenizer: tokenizer)
        } catch let error as ModelError {
            throw StagesError.badInput(path: url.path, message: "bad chat template: \(error.description)")
        }
    }

    /// Loads the model of input `role` with its chat renderer.
    static func loadChat(_ context: StageContext, role: String) throws -> (model: LlamaModel, renderer: ChatRenderer) {
        let (model, tokenizer) = try load(context, role: role)
        return (model, try renderer(context, role: role, tokenizer: tokenizer))
    }

    /// Saves `model` with `tokenizer` into output `name`, its weights as the node's `dtype` param.
    static func save(_ model: LlamaModel, tokenizer: any Tokenizer, _ context: StageContext, output name: String) throws {
        let dtype = try CheckpointDTypeParam.read(Params(context))
        try Checkpoint.save(model, tokenizer: tokenizer, to: context.outputs[name]!, dtype: dtype)
    }
}
