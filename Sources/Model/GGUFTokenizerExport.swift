import Foundation
import GGUF

/// Hugging Face tokenizer files (`tokenizer.json`, `tokenizer_config.json`) built from a GGUF file's
/// `tokenizer.ggml.*` metadata, for byte-level BPE vocabularies (`tokenizer.ggml.model` = `gpt2`).
///
/// The vocabulary, merges and added tokens are the file's; the pre-tokenizer is the one llama.cpp
/// applies for `tokenizer.ggml.pre` (SmolLM: each digit alone, then GPT-2's ByteLevel regex).
enum GGUFTokenizerExport {
    /// GPT-2's printable spelling of each byte (`bytes_to_unicode`).
    static let byteAlphabet: [Character] = HFTokenizerFile.byteLevelAlphabet.map { Character($0) }

    /// Llama 3's split regex (llama.cpp pre names `llama-bpe`, `llama3`, `llama-v3`).
    static let llama3Split = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"#
        + #"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    /// Qwen2's split regex (pre name `qwen2`).
    static let qwen2Split = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"#
        + #"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The `pre_tokenizer` for llama.cpp pre-tokenizer name `pre`, or nil when it is not one we know.
    static func preTokenizer(_ pre: String) -> JSONTree? {
        func byteLevel(regex: Bool) -> JSONTree {
            .object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(false)), ("trim_offsets", .bool(true)),
                     ("use_regex", .bool(regex))])
        }
        func split(_ pattern: String) -> JSONTree {
            .object([("type", .string("Sequence")), ("pretokenizers", .array([
                .object([("type", .string("Split")), ("pattern", .object([("Regex", .string(pattern))])),
                         ("behavior", .string("Isolated")), ("invert", .bool(false))]),
                byteLevel(regex: false),
            ]))])
        }
        switch pre {
        case "default", "gpt2", "gpt-2": return byteLevel(regex: true)
        case "smollm":
            return .object([("type", .string("Sequence")), ("pretokenizers", .array([
                .object([("type", .string("Digits")), ("individual_digits", .bool(true))]),
                byteLevel(regex: true),
            ]))])
        case "llama-bpe", "llama3", "llama-v3": return split(llama3Split)
        case "qwen2": return split(qwen2Split)
        default: return nil
        }
    }

    /// The pre-tokenizer names `preTokenizer` knows.
    static let knownPreNames = ["default", "gpt2", "smollm", "llama-bpe", "llama3", "llama-v3", "qwen2"]

    /// `token` in the byte alphabet: kept when every character already is one, else its UTF-8 bytes re-spelled.
    static func byteLevelSpelling(_ token: String) -> String {
        let alphabet = Set(byteAlphabet)
        if token.allSatisfy(alphabet.contains) { return token }
        return String(token.utf8.map { byteAlphabet[Int($0)] })
    }

    /// The two files' contents: `tokenizer.json` and `tokenizer_config.json`.
    static func files(_ file: GGUFFile, config: LlamaConfig) throws -> (tokenizer: String, config: String) {
        func fail(_ key: String, _ problem: String) -> ModelError {
            .badCheckpoint(path: file.source, reason: "\(key) \(problem)")
        }
        do {
            let model = try file.string("tokenizer.ggml.model") ?? "(absent)"
            guard model == "gpt2" else {
                throw fail("tokenizer.ggml.model", "is '\(model)'; only byte-level BPE ('gpt2') vocabularies are exported")
            }
            guard let tokens = try file.strings("tokenizer.ggml.tokens") else {
                throw fail("tokenizer.ggml.tokens", "is missing")
            }
            let merges = try file.strings("tokenizer.ggml.merges") ?? []
            let types = try file.ints("tokenizer.ggml.token_type") ?? []
            guard types.isEmpty || types.count == tokens.count else {
                throw fail("tokenizer.ggml.token_type", "has \(types.count) entries for \(tokens.count) tokens")
            }
            let pre = try file.string("tokenizer.ggml.pre") ?? "default"
            guard let preTokenizer = preTokenizer(pre) else {
                throw fail("tokenizer.ggml.pre", "is '\(pre)'; known pre-tokenizers: \(knownPreNames.joined(separator: ", "))")
            }
            var mergePairs: [JSONTree] = []
            mergePairs.reserveCapacity(merges.count)
            for (index, merge) in merges.enumerated() {
                let parts = merge.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw fail("tokenizer.ggml.merges[\(index)]", "is '\(merge)', not two parts separated by one space")
                }
                mergePairs.append(.array([.string(String(parts[0])), .string(String(parts[1]))]))
            }
            let alphabet = Set(byteAlphabet)
            var added: [JSONTree] = []
            for (id, token) in tokens.enumerated() where id < types.count && (types[id] == 3 || types[id] == 4) {
                // 3 = CONTROL (special), 4 = USER_DEFINED (matched whole, not special); as transformers' GGUF converter.
                guard types[id] == 4 || token.allSatisfy(alphabet.contains) else { continue }
                added.append(.object([("id", .int(id)), ("content", .string(token)), ("single_word", .bool(false)),
                                      ("lstrip", .bool(false)), ("rstrip", .bool(false)), ("normalized", .bool(false)),
                                      ("special", .bool(types[id] == 3))]))
            }
            let byteLevelDecoder = JSONTree.object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(true)),
                                                    ("trim_offsets", .bool(true)), ("use_regex", .bool(true))])
            var seen = Set<String>()
            var vocab: [(String, JSONTree)] = []
            for (id, token) in tokens.enumerated() {
                let spelled = byteLevelSpelling(token)
                guard seen.insert(spelled).inserted else {
                    throw fail("tokenizer.ggml.tokens[\(id)]", "'\(token)' appears twice")
                }
                vocab.append((spelled, .int(id)))
            }
            let tokenizer = JSONTree.object([
                ("version", .string("1.0")), ("truncation", .null), ("padding", .null),
                ("added_tokens", .array(added)), ("normalizer", .null), ("pre_tokenizer", preTokenizer),
                ("post_processor", .object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(true)),
                                            ("trim_offsets", .bool(false)), ("use_regex", .bool(true))])),
                ("decoder", byteLevelDecoder),
                ("model", .object([
                    ("type", .string("BPE")), ("dropout", .null), ("unk_token", .null),
                    ("continuing_subword_prefix", .null), ("end_of_word_suffix", .null), ("fuse_unk", .bool(false)),
                    ("byte_fallback", .bool(false)), ("ignore_merges", .bool(false)),
                    ("vocab", .object(vocab)), ("merges", .array(mergePairs)),
                ])),
            ])
            return (tokenizer.text, try tokenizerConfig(file, tokens: tokens, config: config).text)
        } catch let error as GGUFError {
            throw ModelError.badCheckpoint(path: file.source, reason: error.description)
        }
    }

    /// `tokenizer_config.json`: special token texts, BOS/EOS flags, the chat template.
    private static func tokenizerConfig(_ file: GGUFFile, tokens: [String], config: LlamaConfig) throws -> JSONTree {
        func text(_ key: String) throws -> JSONTree {
            guard let id = try file.int("tokenizer.ggml.\(key)") else { return .null }
            guard tokens.indices.contains(id) else {
                throw ModelError.badCheckpoint(path: file.source, reason: "tokenizer.ggml.\(key) \(id) is outside the "
                    + "vocabulary of \(tokens.count) tokens")
            }
            return .string(tokens[id])
        }
        var members: [(String, JSONTree)] = [
            ("add_bos_token", .bool(try file.bool("tokenizer.ggml.add_bos_token") ?? false)),
            ("add_eos_token", .bool(try file.bool("tokenizer.ggml.add_eos_token") ?? false)),
            ("bos_token", try text("bos_token_id")), ("eos_token", try text("eos_token_id")),
            ("pad_token", try text("padding_token_id")), ("unk_token", try text("unknown_token_id")),
            ("clean_up_tokenization_spaces", .bool(false)),
            ("model_max_length", .int(config.maxPositionEmbeddings)),
            ("tokenizer_class", .string("PreTrainedTokenizerFast")),
        ]
        if let template = try file.string("tokenizer.chat_template") {
            members.append(("chat_template", .string(template)))
        }
        return .object(members)
    }
}
