import Foundation

extension BPETokenizer {
    /// Loads a byte-level BPE from Hugging Face `tokenizer.json` in `directory`, with bos, eos and pad
    /// from `tokenizer_config.json` beside it when that exists.
    ///
    /// Reads the vocabulary, merges (`"a b"` or `["a", "b"]`), added tokens with their flags, the
    /// NFC/NFD/NFKC/NFKD/Lowercase normalizers, the ByteLevel, Split, Digits and Sequence
    /// pre-tokenizers and the ByteLevel decoder; the post-processor is not applied. Errors
    /// (`TokenizerError`) name the file and the JSON path.
    public init(directory: URL) throws {
        let tokenizerURL = directory.appendingPathComponent(TokenizerFiles.tokenizerFileName)
        let configURL = directory.appendingPathComponent(TokenizerFiles.configFileName)
        let data = try TokenizerFiles.read(tokenizerURL)
        let config = FileManager.default.fileExists(atPath: configURL.path) ? try TokenizerFiles.read(configURL) : nil
        try self.init(tokenizerJSON: data, file: tokenizerURL.path, config: config, configFile: configURL.path)
    }

    /// A tokenizer from the bytes of `tokenizer.json` (`file` names it in errors) and optionally of
    /// `tokenizer_config.json` (`configFile`).
    init(tokenizerJSON data: Data, file: String, config: Data?, configFile: String) throws {
        let root = try BPEJSONNode(parsing: data, file: file)
        let modelNode = try root.required("model")
        let type = try modelNode.optional("type")?.string() ?? "BPE"
        guard type == "BPE" else {
            throw TokenizerError.unsupported(file: file, path: "model.type", problem: "model type '\(type)' is not implemented")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let affix = try modelNode.optional(key)?.string(), !affix.isEmpty {
                throw TokenizerError.unsupported(file: file, path: "model.\(key)", problem: "\"\(affix)\" is not supported")
            }
        }
        if try modelNode.bool("byte_fallback", default: false) {
            throw TokenizerError.unsupported(file: file, path: "model.byte_fallback", problem: "byte fallback is not supported")
        }
        if let dropout = try modelNode.optional("dropout"), let rate = dropout.value as? NSNumber, rate.doubleValue > 0 {
            throw TokenizerError.unsupported(file: file, path: "model.dropout", problem: "BPE dropout makes encoding random")
        }
        let vocabNode = try modelNode.required("vocab")
        var vocab: [String: Int32] = [:]
        let entries = try vocabNode.object()
        vocab.reserveCapacity(entries.count)
        for (text, value) in entries {
            guard !(value is String), let number = value as? NSNumber, let id = Int32(exactly: number.doubleValue), id >= 0 else {
                throw TokenizerError.invalidFile(file: file, path: "model.vocab[\"\(text)\"]",
                                                 problem: "expected a non-negative integer id")
            }
            vocab[text] = id
        }
        let merges = try (modelNode.optional("merges")?.array() ?? []).map(Self.merge)
        let model = try BPEModel(vocab: vocab, merges: merges,
                                 ignoreMerges: try modelNode.bool("ignore_merges", default: false),
                                 unknown: try modelNode.optional("unk_token")?.string(), file: file, where: "model")
        let added = try (root.optional("added_tokens")?.array() ?? []).map { node in
            BPEAddedToken(id: Int32(clamping: try node.required("id").int()), content: try node.required("content").string(),
                          special: try node.bool("special", default: false),
                          singleWord: try node.bool("single_word", default: false),
                          lstrip: try node.bool("lstrip", default: false), rstrip: try node.bool("rstrip", default: false),
                          normalized: try node.bool("normalized", default: false))
        }
        for (index, token) in added.enumerated() where !(0..<BPEModel.maximumID).contains(token.id) {
            throw TokenizerError.invalidBPE(file: file, path: "added_tokens[\(index)].id",
                                            problem: "id \(token.id) is outside 0..<\(BPEModel.maximumID)")
        }
        let normalizers = try root.optional("normalizer").map(Self.normalizers) ?? []
        let preTokenizers = try root.optional("pre_tokenizer").map(Self.preTokenizers) ?? []
        if let decoder = try root.optional("decoder") { try Self.checkDecoder(decoder) }
        let special = try Self.specialTokens(config: config, configFile: configFile, tokenizerFile: file,
                                             added: added, vocab: vocab)
        self.init(model: model, added: added, normalizers: normalizers, preTokenizers: preTokenizers,
                  special: special, files: BPESavedFiles(tokenizerJSON: data, config: config))
    }

    /// A merge in either spelling.
    private static func merge(_ node: BPEJSONNode) throws -> (String, String) {
        if let text = node.value as? String {
            let parts = text.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw TokenizerError.invalidBPE(file: node.file, path: node.path,
                                                problem: "merge \"\(text)\" must be two tokens separated by one space")
            }
            return (String(parts[0]), String(parts[1]))
        }
        guard let pair = node.value as? [Any], pair.count == 2, let left = pair[0] as? String, let right = pair[1] as? String else {
            throw TokenizerError.invalidBPE(file: node.file, path: node.path,
                                            problem: "a merge must be \"a b\" or [\"a\", \"b\"]")
        }
        return (left, right)
    }

    /// The normalizers of a `normalizer` object, `Sequence`s flattened.
    private static func normalizers(_ node: BPEJSONNode) throws -> [BPENormalizer] {
        let type = try node.type()
        if type == "Sequence" {
            return try node.required("normalizers").array().flatMap(normalizers)
        }
        guard let normalizer = BPENormalizer(rawValue: type) else {
            throw TokenizerError.unsupported(file: node.file, path: "\(node.path).type",
                                             problem: "normalizer '\(type)' is not implemented")
        }
        return [normalizer]
    }

    /// The pre-tokenizers of a `pre_tokenizer` object, `Sequence`s flattened.
    private static func preTokenizers(_ node: BPEJSONNode) throws -> [BPEPreTokenizer] {
        let type = try node.type()
        switch type {
        case "Sequence":
            return try node.required("pretokenizers").array().flatMap(preTokenizers)
        case "ByteLevel":
            return [.byteLevel(addPrefixSpace: try node.bool("add_prefix_space", default: true),
                               useRegex: try node.bool("use_regex", default: true))]
        case "Digits":
            return [.digits(individual: try node.bool("individual_digits", default: false))]
        case "Split":
            let behaviorNode = try node.required("behavior")
            let name = try behaviorNode.string()
            guard let behavior = BPESplitBehavior(rawValue: name) else {
                throw TokenizerError.unsupported(file: node.file, path: behaviorNode.path, problem: "split behavior '\(name)' is unknown; "
                    + "expected one of \(BPESplitBehavior.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return [.split(try splitPattern(node.required("pattern")), behavior: behavior,
                           invert: try node.bool("invert", default: false))]
        default:
            throw TokenizerError.unsupported(file: node.file, path: "\(node.path).type",
                                             problem: "pre-tokenizer '\(type)' is not implemented")
        }
    }

    /// A `Split` pattern: `{"Regex": …}` (hand-written scanner when known) or `{"String": …}`.
    static func splitPattern(_ node: BPEJSONNode) throws -> BPESplitPattern {
        if let literal = try node.optional("String") {
            return .literal(Array(try literal.string().utf8))
        }
        let regexNode = try node.required("Regex")
        let source = try regexNode.string()
        return try splitPattern(regex: source, file: node.file, path: regexNode.path)
    }

    /// The pattern for a regex source: a hand-written scanner when one exists, else ICU.
    static func splitPattern(regex source: String, file: String, path: String) throws -> BPESplitPattern {
        if let scanner = BPEScanner(pattern: source) { return .scanner(scanner, source: source) }
        do {
            return .regex(try NSRegularExpression(pattern: source))
        } catch {
            throw TokenizerError.invalidBPE(file: file, path: path, problem: "regex does not compile: \(error.localizedDescription)")
        }
    }

    /// Accepts a `ByteLevel` decoder (alone or as the only decoder of a `Sequence`).
    private static func checkDecoder(_ node: BPEJSONNode) throws {
        let type = try node.type()
        if type == "ByteLevel" { return }
        if type == "Sequence", let inner = try node.required("decoders").array().first,
           try node.required("decoders").array().count == 1 {
            return try checkDecoder(inner)
        }
        throw TokenizerError.unsupported(file: node.file, path: "\(node.path).type", problem: "decoder '\(type)' is not implemented")
    }

    /// bos, eos and pad: from `tokenizer_config.json` when it names them, else from well-known token texts.
    private static func specialTokens(config: Data?, configFile: String, tokenizerFile: String,
                                      added: [BPEAddedToken], vocab: [String: Int32]) throws -> SpecialTokens {
        func id(of text: String) -> Int32? {
            added.first { $0.content == text }?.id ?? vocab[text]
        }
        var named: [String: (text: String, path: String)] = [:]
        if let config {
            let root = try BPEJSONNode(parsing: config, file: configFile)
            for key in ["bos_token", "eos_token", "pad_token"] {
                guard let node = try root.optional(key) else { continue }
                let text = node.value is String ? try node.string() : try node.required("content").string()
                named[key] = (text, node.path)
            }
        }
        func resolve(_ key: String, fallbacks: [String]) throws -> Int32? {
            if let entry = named[key] {
                guard let found = id(of: entry.text) else {
                    throw TokenizerError.invalidBPE(file: configFile, path: entry.path,
                                                    problem: "\"\(entry.text)\" is not a token of \(tokenizerFile)")
                }
                return found
            }
            return fallbacks.lazy.compactMap(id(of:)).first
        }
        guard let eos = try resolve("eos_token", fallbacks: ["<|endoftext|>", "<|end_of_text|>", "</s>", "<|im_end|>", "<eos>"]) else {
            throw TokenizerError.invalidBPE(file: configFile, path: "eos_token", problem: "no end-of-sequence token is named "
                + "and none of <|endoftext|>, <|end_of_text|>, </s>, <|im_end|>, <eos> exists; add \"eos_token\"")
        }
        let bos = try resolve("bos_token", fallbacks: ["<|begin_of_text|>", "<s>", "<bos>"]) ?? eos
        let pad = try resolve("pad_token", fallbacks: []) ?? eos
        return SpecialTokens(bos: bos, eos: eos, pad: pad)
    }
}
