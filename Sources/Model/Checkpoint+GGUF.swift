import Foundation
import GGUF

/// Loading from either kind of checkpoint: an HF directory or a GGUF file.
extension Checkpoint {
    /// Whether `url` is a file starting with the GGUF magic (an HF checkpoint is a directory).
    public static func isGGUF(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return false
        }
        return GGUFFile.hasMagic(url)
    }

    /// The model in the HF directory or GGUF file at `url` (GGUF weights dequantised to f32).
    public static func loadAnyModel(at url: URL) throws -> LlamaModel {
        isGGUF(url) ? try GGUFCheckpoint.loadModel(from: url) : try loadModel(from: url)
    }

    /// The tokenizer of the HF directory (`tokenizer.json`) or GGUF file (`tokenizer.ggml.*`) at `url`.
    public static func loadAnyTokenizer(at url: URL) throws -> any Tokenizer {
        isGGUF(url) ? try BPETokenizer(ggufAt: url) : try TokenizerFiles.load(from: url)
    }

    /// Model, tokenizer and, when `withChatTemplate`, the chat template (nil when there is none) of the HF
    /// directory or GGUF file at `url`.
    public static func loadAny(at url: URL, withChatTemplate: Bool = true)
        throws -> (model: LlamaModel, tokenizer: any Tokenizer, chatTemplate: ModelChatTemplate?) {
        guard isGGUF(url) else {
            let (model, tokenizer) = try load(from: url)
            return (model, tokenizer, withChatTemplate ? try ModelChatTemplate.load(from: url) : nil)
        }
        let file = try GGUFCheckpoint.open(url)
        let model = try GGUFCheckpoint.loadModel(file)
        let tokenizer = try BPETokenizer(gguf: file)
        guard tokenizer.vocabSize <= model.config.vocabSize else {
            throw ModelError.badCheckpoint(path: url.path, reason: "the tokenizer has \(tokenizer.vocabSize) tokens but the "
                + "model's vocabulary is \(model.config.vocabSize)")
        }
        return (model, tokenizer, withChatTemplate ? try ModelChatTemplate.load(gguf: file) : nil)
    }
}
