/// The parts of Hugging Face `tokenizer.json` this module reads and writes.
///
/// Writing emits every top-level key `tokenizers` expects (unused ones as `null`); reading
/// ignores keys it does not need.
struct HFTokenizerFile: Codable {
    /// Format version, "1.0".
    var version: String
    /// Added (special) tokens with their ids.
    var addedTokens: [HFAddedToken]
    /// The pre-tokenizer; byte-level for our tokenizers.
    var preTokenizer: HFByteLevel?
    /// The decoder; byte-level for our tokenizers.
    var decoder: HFByteLevel?
    /// The tokenization model.
    var model: HFModel

    private enum CodingKeys: String, CodingKey {
        case version, truncation, padding, normalizer, decoder, model
        case addedTokens = "added_tokens", preTokenizer = "pre_tokenizer", postProcessor = "post_processor"
    }

    /// A tokenizer file with the given parts.
    init(version: String, addedTokens: [HFAddedToken], preTokenizer: HFByteLevel?, decoder: HFByteLevel?,
         model: HFModel) {
        self.version = version
        self.addedTokens = addedTokens
        self.preTokenizer = preTokenizer
        self.decoder = decoder
        self.model = model
    }

    /// Reads the parts we use.
    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(String.self, forKey: .version)
        addedTokens = try container.decode([HFAddedToken].self, forKey: .addedTokens)
        preTokenizer = try container.decodeIfPresent(HFByteLevel.self, forKey: .preTokenizer)
        self.decoder = try container.decodeIfPresent(HFByteLevel.self, forKey: .decoder)
        model = try container.decode(HFModel.self, forKey: .model)
    }

    /// Writes all top-level keys, unused ones as null.
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encodeNil(forKey: .truncation)
        try container.encodeNil(forKey: .padding)
        try container.encode(addedTokens, forKey: .addedTokens)
        try container.encodeNil(forKey: .normalizer)
        try container.encode(preTokenizer, forKey: .preTokenizer)
        try container.encodeNil(forKey: .postProcessor)
        try container.encode(decoder, forKey: .decoder)
        try container.encode(model, forKey: .model)
    }

    /// GPT-2's printable stand-in for each byte (`bytes_to_unicode`): byte-level vocabularies
    /// spell byte `b` as `byteLevelAlphabet[b]`.
    static let byteLevelAlphabet: [String] = {
        let printable = Set(Array(33...126) + Array(161...172) + Array(174...255))
        var next = 256
        return (0..<256).map { byte in
            if printable.contains(byte) { return String(UnicodeScalar(UInt8(byte))) }
            defer { next += 1 }
            return String(UnicodeScalar(UInt16(next))!)
        }
    }()

    /// The file describing `ByteTokenizer`: a byte-level BPE with no merges plus the specials.
    static func byteLevel(special: SpecialTokens) -> HFTokenizerFile {
        let vocab = Dictionary(uniqueKeysWithValues: byteLevelAlphabet.enumerated().map { ($1, Int32($0)) })
        return HFTokenizerFile(
            version: "1.0",
            addedTokens: special.all.map { HFAddedToken(id: $0.id, content: $0.text) },
            preTokenizer: HFByteLevel(type: "ByteLevel", addPrefixSpace: false, trimOffsets: false, useRegex: false),
            decoder: HFByteLevel(type: "ByteLevel", addPrefixSpace: false, trimOffsets: false, useRegex: false),
            model: HFModel(type: "BPE", vocab: vocab, merges: []))
    }
}

/// An entry of `added_tokens`.
struct HFAddedToken: Codable {
    /// The token id.
    var id: Int32
    /// The token text.
    var content: String
    /// Matches only whole words.
    var singleWord = false
    /// Strips whitespace on the left.
    var lstrip = false
    /// Strips whitespace on the right.
    var rstrip = false
    /// Matched after normalisation.
    var normalized = false
    /// Skipped when decoding with `skip_special_tokens`.
    var special = true

    private enum CodingKeys: String, CodingKey {
        case id, content, lstrip, rstrip, normalized, special
        case singleWord = "single_word"
    }

    /// A special added token.
    init(id: Int32, content: String) {
        self.id = id
        self.content = content
    }
}

/// The `ByteLevel` pre-tokenizer or decoder.
struct HFByteLevel: Codable {
    /// Component type, "ByteLevel".
    var type: String
    /// Whether a space is prepended to the input.
    var addPrefixSpace: Bool
    /// Whether offsets skip whitespace.
    var trimOffsets: Bool
    /// Whether GPT-2's splitting regex runs first.
    var useRegex: Bool

    private enum CodingKeys: String, CodingKey {
        case type
        case addPrefixSpace = "add_prefix_space", trimOffsets = "trim_offsets", useRegex = "use_regex"
    }
}

/// The `model` object: a BPE vocabulary and merge list.
struct HFModel: Codable {
    /// Model type, e.g. "BPE".
    var type: String
    /// Token text to id.
    var vocab: [String: Int32]
    /// Merge rules, in priority order.
    var merges: [HFMerge]

    private enum CodingKeys: String, CodingKey {
        case type, vocab, merges, dropout
        case unkToken = "unk_token", continuingSubwordPrefix = "continuing_subword_prefix"
        case endOfWordSuffix = "end_of_word_suffix", fuseUnk = "fuse_unk", byteFallback = "byte_fallback"
    }

    /// A model with the given vocabulary and merges.
    init(type: String, vocab: [String: Int32], merges: [HFMerge]) {
        self.type = type
        self.vocab = vocab
        self.merges = merges
    }

    /// Reads type, vocab and merges (merges may be absent for non-BPE models).
    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        vocab = try container.decode([String: Int32].self, forKey: .vocab)
        merges = try container.decodeIfPresent([HFMerge].self, forKey: .merges) ?? []
    }

    /// Writes every BPE field `tokenizers` expects.
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encodeNil(forKey: .dropout)
        try container.encodeNil(forKey: .unkToken)
        try container.encodeNil(forKey: .continuingSubwordPrefix)
        try container.encodeNil(forKey: .endOfWordSuffix)
        try container.encode(false, forKey: .fuseUnk)
        try container.encode(false, forKey: .byteFallback)
        try container.encode(vocab, forKey: .vocab)
        try container.encode(merges, forKey: .merges)
    }
}

/// One BPE merge rule, written `"a b"` (older files) or `["a", "b"]` (newer files).
struct HFMerge: Codable {
    /// The left part.
    var left: String
    /// The right part.
    var right: String

    /// Reads either spelling.
    init(from decoder: Decoder) throws {
        if let pair = try? [String](from: decoder) {
            guard pair.count == 2 else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "a merge pair needs exactly two parts"))
            }
            (left, right) = (pair[0], pair[1])
        } else {
            let text = try String(from: decoder)
            let parts = text.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "a merge \"\(text)\" needs exactly one space"))
            }
            (left, right) = (String(parts[0]), String(parts[1]))
        }
    }

    /// Writes the `["a", "b"]` spelling.
    func encode(to encoder: Encoder) throws {
        try [left, right].encode(to: encoder)
    }
}

/// The parts of Hugging Face `tokenizer_config.json` this module reads and writes.
struct HFTokenizerConfig: Codable {
    /// The transformers class that loads `tokenizer.json`.
    var tokenizerClass: String?
    /// BOS token text.
    var bosToken: String
    /// EOS token text.
    var eosToken: String
    /// PAD token text.
    var padToken: String
    /// The role markers (transformers 5 re-saves them as `extra_special_tokens`).
    var additionalSpecialTokens: [String]?
    /// A Jinja chat template equivalent to `ChatFormat`.
    var chatTemplate: String?
    /// Whether decoding tidies spaces around punctuation (never, for bytes).
    var cleanUpTokenizationSpaces: Bool?

    private enum CodingKeys: String, CodingKey {
        case tokenizerClass = "tokenizer_class", bosToken = "bos_token", eosToken = "eos_token"
        case padToken = "pad_token", additionalSpecialTokens = "additional_special_tokens"
        case chatTemplate = "chat_template", cleanUpTokenizationSpaces = "clean_up_tokenization_spaces"
    }

    /// The config for our special token texts and `ChatFormat`'s template.
    static let standard: HFTokenizerConfig = {
        let texts = SpecialTokens.texts
        return HFTokenizerConfig(
            tokenizerClass: "PreTrainedTokenizerFast", bosToken: texts.bos, eosToken: texts.eos, padToken: texts.pad,
            additionalSpecialTokens: [texts.system, texts.user, texts.assistant],
            chatTemplate: ChatFormat.jinjaTemplate, cleanUpTokenizationSpaces: false)
    }()
}
