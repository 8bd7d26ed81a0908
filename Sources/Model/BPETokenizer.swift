import Foundation

/// A byte-level BPE tokenizer (GPT-2, SmolLM, Llama 3, Qwen2), equal token for token to Hugging Face
/// `tokenizers` encoding without the post-processor (`add_special_tokens=False`).
///
/// Encoding runs `tokenizers`' pipeline: added tokens are split out of the text first; each
/// remaining run is normalized, cut into pre-tokens by the pre-tokenizers, and each pre-token's
/// bytes are merged by the BPE model (with a cache per pre-token). Build one with
/// `BPETokenizer(contentsOf:)` from `tokenizer.json` or `BPETokenizer(gguf:)` from GGUF metadata.
public struct BPETokenizer: Tokenizer {
    /// One more than the largest id of the vocabulary and the added tokens.
    public let vocabSize: Int
    /// bos, eos and pad; no role markers (chats come from the model's own template).
    public let special: SpecialTokens
    /// The vocabulary and merges.
    let model: BPEModel
    /// The added tokens and their matcher.
    let added: BPEAddedTokens
    /// The normalizers, in order.
    let normalizers: [BPENormalizer]
    /// The pre-tokenizers, in order.
    let preTokenizers: [BPEPreTokenizer]
    /// The bytes `decode` writes for each id (the `ByteLevel` decoder's view of its text).
    private let decodedBytes: [[UInt8]]
    /// Whether each id is a special added token (skipped by `decode` unless shown).
    private let isSpecial: [Bool]
    /// The content of each added token by id.
    private let addedContent: [Int32: String]
    /// How `save(to:)` writes the tokenizer files.
    let files: BPESavedFiles

    /// A tokenizer from its parts; `vocabSize` and the decoding tables follow from them.
    init(model: BPEModel, added: [BPEAddedToken], normalizers: [BPENormalizer], preTokenizers: [BPEPreTokenizer],
         special: SpecialTokens, files: BPESavedFiles) {
        self.model = model
        self.added = BPEAddedTokens(added)
        self.normalizers = normalizers
        self.preTokenizers = preTokenizers
        self.special = special
        self.files = files
        let size = max(model.tokens.count, Int(added.map(\.id).max() ?? -1) + 1)
        vocabSize = size
        var decoded = model.tokens.map { $0.map(BPEByteLevel.decodedBytes(of:)) ?? [] }
        decoded += repeatElement([], count: size - decoded.count)
        var isSpecial = [Bool](repeating: false, count: size)
        for token in added {
            decoded[Int(token.id)] = BPEByteLevel.decodedBytes(of: token.content)
            isSpecial[Int(token.id)] = token.special
        }
        decodedBytes = decoded
        self.isSpecial = isSpecial
        addedContent = Dictionary(added.map { ($0.id, $0.content) }, uniquingKeysWith: { _, last in last })
    }

    /// The ids of `text`; see `Tokenizer.encode(_:allowSpecial:)`.
    /// - Complexity: O(n) in the UTF-8 length for cached words; merging a new word is quadratic in its length.
    public func encode(_ text: String, allowSpecial: Bool) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3 + 1)
        run(text, allowSpecial: allowSpecial) { word, _, _ in ids += word }
        return ids
    }

    /// The ids of `text` with each token's UTF-8 byte range in `text`; see `Tokenizer.encodeWithOffsets(_:allowSpecial:)`.
    public func encodeWithOffsets(_ text: String, allowSpecial: Bool) -> EncodedText {
        var result = EncodedText(ids: [], offsets: [])
        run(text, allowSpecial: allowSpecial) { word, piece, alignment in
            var cursor = piece.lowerBound
            for id in word {
                let width = max(decodedBytes[Int(id)].count, 1)
                let end = min(cursor + width, piece.upperBound)
                result.ids.append(id)
                result.offsets.append(alignment.original(cursor..<end))
                cursor = end
            }
        }
        return result
    }

    /// The text of `ids` through the `ByteLevel` decoder; special added tokens only when `showSpecial`,
    /// ids outside the vocabulary as U+FFFD.
    public func decode(_ ids: [Int32], showSpecial: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids {
            guard id >= 0, Int(id) < vocabSize else {
                bytes += [0xEF, 0xBF, 0xBD]
                continue
            }
            if isSpecial[Int(id)] && !showSpecial { continue }
            bytes += decodedBytes[Int(id)]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The vocabulary text of `id` (byte-level, e.g. `Ġhello`) or an added token's content.
    public func tokenString(_ id: Int32) -> String? {
        guard id >= 0, Int(id) < vocabSize else { return nil }
        if let content = addedContent[id] { return content }
        return Int(id) < model.tokens.count ? model.tokens[Int(id)] : nil
    }

    /// Runs the pipeline on `text`, calling `body` with each pre-token's ids, its byte range in the
    /// working bytes, and how those bytes map back to `text`'s UTF-8.
    private func run(_ text: String, allowSpecial: Bool,
                     _ body: (_ ids: [Int32], _ piece: Range<Int>, _ alignment: BPEAlignment) -> Void) {
        let bytes = Array(text.utf8)
        for segment in added.split(bytes, allowSpecial: allowSpecial) {
            if let id = segment.id {
                body([id], segment.range, .identity)
                continue
            }
            var working = bytes
            var alignment = BPEAlignment.identity
            var pieces = [segment.range]
            if !normalizers.isEmpty, let normalized = BPENormalizer.normalize(normalizers, bytes, segment.range) {
                working = normalized.bytes
                alignment = .table(starts: normalized.starts, ends: normalized.ends)
                pieces = [0..<working.count]
            }
            for preTokenizer in preTokenizers {
                if case .byteLevel(addPrefixSpace: true, _) = preTokenizer {
                    (working, alignment, pieces) = Self.prefixSpaces(working, alignment, pieces)
                }
                var next: [Range<Int>] = []
                next.reserveCapacity(pieces.count)
                for piece in pieces { next += preTokenizer.split(piece, in: working) }
                pieces = next
            }
            for piece in pieces where !piece.isEmpty {
                body(model.encode(working[piece]), piece, alignment)
            }
        }
    }

    /// Puts a space before every piece that does not start with one (`ByteLevel`'s `add_prefix_space`);
    /// the space has no bytes in the original text.
    private static func prefixSpaces(_ bytes: [UInt8], _ alignment: BPEAlignment, _ pieces: [Range<Int>])
        -> ([UInt8], BPEAlignment, [Range<Int>]) {
        guard pieces.contains(where: { bytes[$0.lowerBound] != 0x20 }) else { return (bytes, alignment, pieces) }
        var output: [UInt8] = [], starts: [Int] = [], ends: [Int] = [], newPieces: [Range<Int>] = []
        for piece in pieces {
            let start = output.count
            if bytes[piece.lowerBound] != 0x20 {
                let origin = alignment.original(piece.lowerBound..<piece.lowerBound).lowerBound
                output.append(0x20)
                starts.append(origin)
                ends.append(origin)
            }
            for index in piece {
                let range = alignment.original(index..<index + 1)
                output.append(bytes[index])
                starts.append(range.lowerBound)
                ends.append(range.upperBound)
            }
            newPieces.append(start..<output.count)
        }
        return (output, .table(starts: starts, ends: ends), newPieces)
    }
}

/// How working bytes (normalized, with inserted spaces) map back to the input's UTF-8.
enum BPEAlignment {
    /// Working bytes are the input bytes.
    case identity
    /// Each working byte's original byte range.
    case table(starts: [Int], ends: [Int])

    /// The original byte range of working bytes `range` (an empty range maps to an empty range where it starts).
    func original(_ range: Range<Int>) -> Range<Int> {
        switch self {
        case .identity:
            return range
        case let .table(starts, ends):
            guard range.lowerBound < starts.count else {
                let end = ends.last ?? 0
                return end..<end
            }
            guard !range.isEmpty else { return starts[range.lowerBound]..<starts[range.lowerBound] }
            return starts[range.lowerBound]..<max(ends[range.upperBound - 1], starts[range.lowerBound])
        }
    }
}
