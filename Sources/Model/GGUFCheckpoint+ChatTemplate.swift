import Foundation
import GGUF

/// The chat template a GGUF file's `tokenizer.chat_template` metadata holds.
extension GGUFCheckpoint {
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
