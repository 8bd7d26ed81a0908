import Foundation

/// The tokenizer files a `BPETokenizer` writes: the bytes it was read from, or nil to generate them.
struct BPESavedFiles: Sendable {
    /// The original `tokenizer.json`, written back unchanged; nil when built from GGUF metadata.
    var tokenizerJSON: Data?
    /// The original `tokenizer_config.json`; nil to write one naming bos, eos and pad.
    var config: Data?
}

extension BPETokenizer {
    /// Writes `tokenizer.json` and `tokenizer_config.json` into `directory` (created if needed).
    ///
    /// A tokenizer read from files writes those files back unchanged; one built from GGUF metadata writes
    /// a `tokenizer.json` that `tokenizers` loads to the same tokenizer, with sorted keys so equal
    /// tokenizers give equal bytes.
    public func save(to directory: URL) throws {
        let tokenizer = try files.tokenizerJSON ?? Self.json(generatedTokenizerFile())
        let config = try files.config ?? Self.json(generatedConfig())
        try TokenizerFiles.write([(TokenizerFiles.tokenizerFileName, tokenizer), (TokenizerFiles.configFileName, config)],
                                 to: directory)
    }

    private static func json(_ object: Any) throws -> Data {
        do {
            var data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            data.append(UInt8(ascii: "\n"))
            return data
        } catch {
            throw TokenizerError.cannotWrite(file: TokenizerFiles.tokenizerFileName, reason: error.localizedDescription)
        }
    }

    /// `tokenizer_config.json` naming the special tokens.
    private func generatedConfig() -> [String: Any] {
        var config: [String: Any] = ["tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": false]
        for (key, id) in [("bos_token", special.bos), ("eos_token", special.eos), ("pad_token", special.pad)] {
            if let text = tokenString(id) { config[key] = text }
        }
        return config
    }

    /// `tokenizer.json` for this tokenizer's parts.
    private func generatedTokenizerFile() -> [String: Any] {
        var vocab: [String: Int] = [:]
        for (id, token) in model.tokens.enumerated() { if let token { vocab[token] = id } }
        let merges = model.mergePairs.map { [model.tokens[Int($0.0)] ?? "", model.tokens[Int($0.1)] ?? ""] }
        let modelObject: [String: Any] = [
            "type": "BPE", "dropout": NSNull(), "unk_token": model.unknown.flatMap { model.tokens[Int($0)] } ?? NSNull(),
            "continuing_subword_prefix": NSNull(), "end_of_word_suffix": NSNull(), "fuse_unk": false,
            "byte_fallback": false, "ignore_merges": model.ignoreMerges, "vocab": vocab, "merges": merges,
        ]
        let addedTokens: [[String: Any]] = added.tokens.map { token in
            ["id": Int(token.id), "content": token.content, "single_word": token.singleWord, "lstrip": token.lstrip,
             "rstrip": token.rstrip, "normalized": token.normalized, "special": token.special]
        }
        let byteLevelDecoder: [String: Any] = ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true]
        return [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": addedTokens,
            "normalizer": Self.json(normalizers), "pre_tokenizer": Self.json(preTokenizers), "post_processor": NSNull(),
            "decoder": byteLevelDecoder, "model": modelObject,
        ]
    }

    private static func json(_ normalizers: [BPENormalizer]) -> Any {
        let list = normalizers.map { ["type": $0.rawValue] }
        if list.isEmpty { return NSNull() }
        return list.count == 1 ? list[0] : ["type": "Sequence", "normalizers": list]
    }

    private static func json(_ preTokenizers: [BPEPreTokenizer]) -> Any {
        let list: [[String: Any]] = preTokenizers.map { step in
            switch step {
            case let .byteLevel(addPrefixSpace, useRegex):
                return ["type": "ByteLevel", "add_prefix_space": addPrefixSpace, "trim_offsets": true, "use_regex": useRegex]
            case let .digits(individual):
                return ["type": "Digits", "individual_digits": individual]
            case let .split(pattern, behavior, invert):
                let patternObject: [String: Any]
                switch pattern {
                case let .scanner(_, source): patternObject = ["Regex": source]
                case let .regex(expression): patternObject = ["Regex": expression.pattern]
                case let .literal(bytes): patternObject = ["String": String(decoding: bytes, as: UTF8.self)]
                case .numeric: patternObject = ["Regex": #"\p{N}"#]
                }
                return ["type": "Split", "pattern": patternObject, "behavior": behavior.rawValue, "invert": invert]
            }
        }
        if list.isEmpty { return NSNull() }
        return list.count == 1 ? list[0] : ["type": "Sequence", "pretokenizers": list]
    }
}
