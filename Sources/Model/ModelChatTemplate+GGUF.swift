import ChatTemplate
import Foundation
import GGUF

extension ModelChatTemplate {
    /// The chat template of a GGUF file (`tokenizer.chat_template`), rendered with the texts of its
    /// `tokenizer.ggml.{bos,eos,unknown,padding}_token_id` tokens as `bos_token`, `eos_token`, `unk_token`
    /// and `pad_token`, as transformers sets them up when it loads the GGUF.
    /// - Returns: nil when the file has no chat template.
    public static func load(gguf file: GGUFFile) throws -> ModelChatTemplate? {
        do {
            guard let source = try file.string("tokenizer.chat_template") else { return nil }
            let tokens = try file.strings("tokenizer.ggml.tokens") ?? []
            var specials: [String: String] = [:]
            for (key, metadata) in [("bos_token", "bos_token_id"), ("eos_token", "eos_token_id"),
                                    ("unk_token", "unknown_token_id"), ("pad_token", "padding_token_id")] {
                guard let id = try file.int("tokenizer.ggml.\(metadata)") else { continue }
                guard tokens.indices.contains(id) else {
                    throw ModelError.badFile(path: file.source, reason: "tokenizer.ggml.\(metadata) \(id) is outside the "
                        + "vocabulary of \(tokens.count) tokens")
                }
                specials[key] = tokens[id]
            }
            return try ModelChatTemplate(source: source, origin: file.source + ": tokenizer.chat_template", specialTokens: specials)
        } catch let error as GGUFError {
            throw ModelError.badFile(path: file.source, reason: error.description)
        }
    }
}
