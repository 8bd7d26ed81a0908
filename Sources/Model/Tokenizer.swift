import Foundation

/// The ids of the special tokens a tokenizer provides: bos, eos and pad always; the role markers of
/// the built-in chat layout (`ChatFormat`) only for tokenizers that have dedicated role tokens.
///
/// Real models (ChatML's `<|im_start|>`, Llama 3's headers) frame roles through their own chat template
/// and have no single token per role: their `system`, `user` and `assistant` are nil (check
/// `hasRoleMarkers` before reading them).
public struct SpecialTokens: Codable, Sendable, Equatable {
    /// Beginning of sequence.
    public var bos: Int32
    /// End of sequence; also closes every assistant response.
    public var eos: Int32
    /// Padding (never attended to, never trained on).
    public var pad: Int32
    /// Marks the start of a system message; nil when the tokenizer has no role markers.
    public var system: Int32!
    /// Marks the start of a user message; nil when the tokenizer has no role markers.
    public var user: Int32!
    /// Marks the start of an assistant message (the generation prefix ends with it); nil when the
    /// tokenizer has no role markers.
    public var assistant: Int32!

    /// Special tokens with the given ids, role markers included.
    public init(bos: Int32, eos: Int32, pad: Int32, system: Int32, user: Int32, assistant: Int32) {
        self.bos = bos
        self.eos = eos
        self.pad = pad
        self.system = system
        self.user = user
        self.assistant = assistant
    }

    /// Special tokens without role markers (tokenizers whose chats come from a chat template).
    public init(bos: Int32, eos: Int32, pad: Int32) {
        self.bos = bos
        self.eos = eos
        self.pad = pad
    }

    /// Whether `system`, `user` and `assistant` are all set.
    public var hasRoleMarkers: Bool {
        system != nil && user != nil && assistant != nil
    }

    /// The text form of each of the byte tokenizer's special tokens in tokenizer files and in `decode(_:showSpecial:)`.
    public static let texts = (bos: "<|bos|>", eos: "<|eos|>", pad: "<|pad|>",
                               system: "<|system|>", user: "<|user|>", assistant: "<|assistant|>")

    /// Every special token as (id, text) with the byte tokenizer's texts, in the order bos, eos, pad,
    /// then the role markers that are set.
    public var all: [(id: Int32, text: String)] {
        let roles: [(Int32?, String)] = [(system, Self.texts.system), (user, Self.texts.user),
                                         (assistant, Self.texts.assistant)]
        return [(bos, Self.texts.bos), (eos, Self.texts.eos), (pad, Self.texts.pad)]
            + roles.compactMap { id, text in id.map { ($0, text) } }
    }

    /// The byte tokenizer's text for `id` when it is one of these special tokens, else nil.
    public func text(for id: Int32) -> String? {
        all.first { $0.id == id }?.text
    }
}

/// Token ids of a text together with the UTF-8 byte range each token came from.
public struct EncodedText: Sendable, Equatable {
    /// The token ids.
    public var ids: [Int32]
    /// For each token, its byte range in the text's UTF-8 (`text.utf8`); same length as `ids`.
    ///
    /// Ranges ascend and do not overlap, except where a normalizer (NFC) rewrote a character: tokens of
    /// that character share its range. A space inserted by `add_prefix_space` has no bytes of its own.
    public var offsets: [Range<Int>]

    /// An encoding with the given ids and offsets.
    public init(ids: [Int32], offsets: [Range<Int>]) {
        self.ids = ids
        self.offsets = offsets
    }
}

/// Turns text into token ids and back.
///
/// Implementations: `ByteTokenizer` (UTF-8 bytes plus specials, for the world's models) and
/// `BPETokenizer` (byte-level BPE from `tokenizer.json` or GGUF metadata, equal to Hugging Face
/// `tokenizers`). `TokenizerFiles.load` picks the implementation from `tokenizer.json`.
public protocol Tokenizer: Sendable {
    /// Number of ids, specials included; ids are `0..<vocabSize`.
    var vocabSize: Int { get }
    /// The special token ids.
    var special: SpecialTokens { get }
    /// The ids of `text`; never emits a special token, even for text that spells one.
    func encode(_ text: String) -> [Int32]
    /// The ids of `text`. With `allowSpecial`, special and added tokens spelled in the text become
    /// their own ids, as Hugging Face `tokenizers` does by default (use it for rendered chat
    /// templates); without it, only non-special added tokens do, and `encode(text, allowSpecial: false)`
    /// equals `encode(text)`.
    func encode(_ text: String, allowSpecial: Bool) -> [Int32]
    /// The ids of `text` (as `encode(_:allowSpecial:)`) with each token's UTF-8 byte range in `text`,
    /// e.g. to turn the character spans of assistant messages into a loss mask.
    func encodeWithOffsets(_ text: String, allowSpecial: Bool) -> EncodedText
    /// The text of `ids` without special tokens; invalid UTF-8 becomes U+FFFD.
    func decode(_ ids: [Int32]) -> String
    /// The text of `ids`; special tokens appear as e.g. `<|eos|>` only when `showSpecial`.
    /// Ids outside the vocabulary become U+FFFD.
    func decode(_ ids: [Int32], showSpecial: Bool) -> String
    /// The vocabulary's spelling of `id` (byte-level, e.g. `Ġhello`), as transformers'
    /// `convert_ids_to_tokens` gives it; nil outside the vocabulary.
    func tokenString(_ id: Int32) -> String?
    /// Writes Hugging Face style tokenizer files (`tokenizer.json`, `tokenizer_config.json`)
    /// into `directory`, creating it if needed; the same tokenizer always writes the same bytes.
    func save(to directory: URL) throws
}

extension Tokenizer {
    /// The text of `ids` without special tokens.
    public func decode(_ ids: [Int32]) -> String {
        decode(ids, showSpecial: false)
    }

    /// The ids of `text`, special tokens spelled in it kept as text.
    public func encode(_ text: String) -> [Int32] {
        encode(text, allowSpecial: false)
    }
}
