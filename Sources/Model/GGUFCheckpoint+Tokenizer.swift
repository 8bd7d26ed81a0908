import Foundation
import GGUF

/// The tokenizer and chat template a GGUF file's `tokenizer.*` metadata describe.
extension GGUFCheckpoint {
    /// The byte-level BPE tokenizer of `file` (`tokenizer.ggml.model` = `gpt2`), equal to Hugging Face's for the same vocabulary.
    public static func tokenizer(_ file: GGUFFile) throws -> BPETokenizer {
        do {
            return try BPETokenizer(
                gguf: try file.string("tokenizer.ggml.model") ?? "(absent)", pre: try file.string("tokenizer.ggml.pre"),
                tokens: try file.strings("tokenizer.ggml.tokens") ?? [], merges: try file.strings("tokenizer.ggml.merges") ?? [],
                tokenTypes: try file.ints("tokenizer.ggml.token_type"), bos: try file.int("tokenizer.ggml.bos_token_id"),
                eos: try file.int("tokenizer.ggml.eos_token_id"), pad: try file.int("tokenizer.ggml.padding_token_id"),
                file: file.source)
        } catch let error as GGUFError {
            throw ModelError.badCheckpoint(path: file.source, reason: error.description)
        }
    }

    /// The chat template in `tokenizer.chat_template`, with the bos, eos, unk and pad texts transformers passes it;
    /// nil when the file has none.
    public static func chatTemplate(_ file: GGUFFile) throws -> ModelChatTemplate? {
        do {
            guard let source = try file.string("tokenizer.chat_template") else { return nil }
            let tokens = try file.strings("tokenizer.ggml.tokens") ?? []
            var special: [String: String] = [:]
            for (name, key) in [("bos_token", "bos_token_id"), ("eos_token", "eos_token_id"), ("unk_token", "unknown_token_id"),
                                ("pad_token", "padding_token_id")] {
                if let id = try file.int("tokenizer.ggml.\(key)"), tokens.indices.contains(id) { special[name] = tokens[id] }
            }
            return try ModelChatTemplate(source: source, origin: file.source + ": tokenizer.chat_template", specialTokens: special)
        } catch let error as GGUFError {
            throw ModelError.badCheckpoint(path: file.source, reason: error.description)
        }
    }
}
