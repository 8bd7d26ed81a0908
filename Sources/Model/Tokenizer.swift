import Foundation

/// The ids of the special tokens every tokenizer provides for chat formatting.
public struct SpecialTokens: Codable, Sendable, Equatable {
    /// Beginning of sequence.
    public var bos: Int32
    /// End of sequence; also closes every assistant response.
    public var eos: Int32
    /// Padding (never attended to, never trained on).
    public var pad: Int32
    /// Marks the start of a system message.
    public var system: Int32
    /// Marks the start of a user message.
    public var user: Int32
    /// Marks the start of an assistant message; the generation prefix ends with it.
    public var assistant: Int32

    /// Special tokens with the given ids.
    public init(bos: Int32, eos: Int32, pad: Int32, system: Int32, user: Int32, assistant: Int32) {
        self.bos = bos
        self.eos = eos
        self.pad = pad
        self.system = system
        self.user = user
        self.assistant = assistant
    }

    /// The text form of each special token in tokenizer files and in `decode(_:showSpecial:)`.
    public static let texts = (bos: "<|bos|>", eos: "<|eos|>", pad: "<|pad|>",
                               system: "<|system|>", user: "<|user|>", assistant: "<|assistant|>")

    /// Every special token as (id, text), in the order bos, eos, pad, system, user, assistant.
    public var all: [(id: Int32, text: String)] {
        [(bos, Self.texts.bos), (eos, Self.texts.eos), (pad, Self.texts.pad),
         (system, Self.texts.system), (user, Self.texts.user), (assistant, Self.texts.assistant)]
    }

    /// The text form of `id` when it is a special token, else nil.
    public func text(for id: Int32) -> String? {
        all.first { $0.id == id }?.text
    }
}

/// Turns text into token ids and back.
///
/// Implementations: `ByteTokenizer` (UTF-8 bytes plus specials). A BPE tokenizer can be added
/// behind this protocol; `TokenizerFiles.load` picks the implementation from `tokenizer.json`.
public protocol Tokenizer: Sendable {
    /// Number of ids, specials included; ids are `0..<vocabSize`.
    var vocabSize: Int { get }
    /// The special token ids.
    var special: SpecialTokens { get }
    /// The ids of `text`; never emits a special token, even for text that spells one.
    func encode(_ text: String) -> [Int32]
    /// The text of `ids` without special tokens; invalid UTF-8 becomes U+FFFD.
    func decode(_ ids: [Int32]) -> String
    /// The text of `ids`; special tokens appear as e.g. `<|eos|>` only when `showSpecial`.
    /// Ids outside the vocabulary become U+FFFD.
    func decode(_ ids: [Int32], showSpecial: Bool) -> String
    /// Writes Hugging Face style tokenizer files (`tokenizer.json`, `tokenizer_config.json`)
    /// into `directory`, creating it if needed; the same tokenizer always writes the same bytes.
    func save(to directory: URL) throws
}

extension Tokenizer {
    /// The text of `ids` without special tokens.
    public func decode(_ ids: [Int32]) -> String {
        decode(ids, showSpecial: false)
    }
}
