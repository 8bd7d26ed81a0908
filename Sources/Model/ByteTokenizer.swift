import Foundation

/// A byte-level tokenizer: every UTF-8 byte is a token, plus six special tokens.
///
/// Vocabulary (`vocabSize` 262):
/// - ids 0…255: the bytes 0x00…0xFF;
/// - 256 `<|bos|>`, 257 `<|eos|>`, 258 `<|pad|>`, 259 `<|system|>`, 260 `<|user|>`,
///   261 `<|assistant|>`.
///
/// It saves as a Hugging Face byte-level BPE with no merges, so `tokenizers` reproduces it.
public struct ByteTokenizer: Tokenizer {
    /// The special token ids of the byte vocabulary.
    public static let specialTokens = SpecialTokens(bos: 256, eos: 257, pad: 258,
                                                    system: 259, user: 260, assistant: 261)

    /// 256 byte tokens plus 6 specials.
    public let vocabSize = 262
    /// See `ByteTokenizer.specialTokens`.
    public let special = ByteTokenizer.specialTokens

    /// The byte tokenizer (it has no parameters).
    public init() {}

    /// The UTF-8 bytes of `text`, one id each.
    /// - Complexity: O(n) in the UTF-8 length.
    public func encode(_ text: String) -> [Int32] {
        text.utf8.map { Int32($0) }
    }

    /// The UTF-8 bytes of `text`, one id each; with `allowSpecial`, spelled specials such as `<|eos|>` become their ids.
    /// - Complexity: O(n) in the UTF-8 length.
    public func encode(_ text: String, allowSpecial: Bool) -> [Int32] {
        allowSpecial ? encodeWithOffsets(text, allowSpecial: true).ids : encode(text)
    }

    /// As `encode(_:allowSpecial:)`, each token with its byte range (one byte, or a special's whole spelling).
    public func encodeWithOffsets(_ text: String, allowSpecial: Bool) -> EncodedText {
        let bytes = Array(text.utf8)
        var result = EncodedText(ids: [], offsets: [])
        result.ids.reserveCapacity(bytes.count)
        result.offsets.reserveCapacity(bytes.count)
        let specials = allowSpecial ? special.all.map { (id: $0.id, bytes: Array($0.text.utf8)) } : []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "<"),
               let match = specials.first(where: { bytes[index...].starts(with: $0.bytes) }) {
                result.ids.append(match.id)
                result.offsets.append(index..<index + match.bytes.count)
                index += match.bytes.count
                continue
            }
            result.ids.append(Int32(bytes[index]))
            result.offsets.append(index..<index + 1)
            index += 1
        }
        return result
    }

    /// Bytes decoded as UTF-8 (invalid sequences become U+FFFD); specials shown only on request.
    /// - Complexity: O(n) in the number of ids.
    public func decode(_ ids: [Int32], showSpecial: Bool) -> String {
        var text = ""
        var pending: [UInt8] = []
        for id in ids {
            if (0..<256).contains(id) {
                pending.append(UInt8(id))
                continue
            }
            text += String(decoding: pending, as: UTF8.self)
            pending.removeAll(keepingCapacity: true)
            if let special = special.text(for: id) {
                if showSpecial { text += special }
            } else {
                text += "\u{FFFD}"
            }
        }
        return text + String(decoding: pending, as: UTF8.self)
    }

    /// The byte-level character of a byte id (`Ġ` for a space) or a special's text.
    public func tokenString(_ id: Int32) -> String? {
        (0..<256).contains(id) ? HFTokenizerFile.byteLevelAlphabet[Int(id)] : special.text(for: id)
    }

    /// Writes `tokenizer.json` and `tokenizer_config.json` into `directory`.
    public func save(to directory: URL) throws {
        try TokenizerFiles.save(HFTokenizerFile.byteLevel(special: special), to: directory)
    }
}
