import Foundation
import GGUF

extension BPETokenizer {
    /// The byte-level BPE a GGUF file's `tokenizer.ggml.*` metadata describes (see `init(gguf:pre:tokens:…)`);
    /// errors name the file and the metadata key.
    public init(ggufAt url: URL) throws {
        try self.init(gguf: GGUFCheckpoint.open(url))
    }

    /// The byte-level BPE of an open GGUF file's tokenizer metadata.
    public init(gguf file: GGUFFile) throws {
        do {
            guard let tokens = try file.strings("tokenizer.ggml.tokens") else {
                throw TokenizerError.invalidBPE(file: file.source, path: "tokenizer.ggml.tokens",
                                                problem: "missing; the file has no tokenizer vocabulary")
            }
            try self.init(gguf: file.string("tokenizer.ggml.model") ?? "(absent)", pre: file.string("tokenizer.ggml.pre"),
                          tokens: tokens, merges: file.strings("tokenizer.ggml.merges") ?? [],
                          tokenTypes: file.ints("tokenizer.ggml.token_type"), bos: file.int("tokenizer.ggml.bos_token_id"),
                          eos: file.int("tokenizer.ggml.eos_token_id"), pad: file.int("tokenizer.ggml.padding_token_id"),
                          file: file.source)
        } catch let error as GGUFError {
            throw TokenizerError.invalidBPE(file: file.source, path: "tokenizer.ggml", problem: error.description)
        }
    }
}
