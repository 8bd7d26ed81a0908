import Foundation

/// A `tokenizer.json` normalizer that byte-level BPE models use (`Sequence`s are flattened).
enum BPENormalizer: String, Sendable {
    /// Canonical composition (Qwen2).
    case nfc = "NFC"
    /// Canonical decomposition.
    case nfd = "NFD"
    /// Compatibility composition.
    case nfkc = "NFKC"
    /// Compatibility decomposition.
    case nfkd = "NFKD"
    /// Unicode lowercase.
    case lowercase = "Lowercase"

    /// `text` normalized.
    func apply(_ text: String) -> String {
        switch self {
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        case .nfkc: return text.precomposedStringWithCompatibilityMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        case .lowercase: return text.lowercased()
        }
    }

    /// `text` through every normalizer of `list`, in order.
    static func apply(_ list: [BPENormalizer], to text: String) -> String {
        list.reduce(text) { $1.apply($0) }
    }

    /// `bytes[range]` normalized, with the original byte range of each normalized byte.
    ///
    /// Returns nil when normalization leaves the text unchanged (the common case). Alignment is per
    /// extended grapheme cluster, as a normalized cluster stems from one original cluster.
    static func normalize(_ list: [BPENormalizer], _ bytes: [UInt8], _ range: Range<Int>)
        -> (bytes: [UInt8], starts: [Int], ends: [Int])? {
        // ASCII is unchanged by the Unicode normal forms (Lowercase still applies).
        if !list.contains(.lowercase) && !bytes[range].contains(where: { $0 >= 0x80 }) { return nil }
        let original = String(decoding: bytes[range], as: UTF8.self)
        let whole = apply(list, to: original)
        guard whole.utf8.count != range.count || !whole.utf8.elementsEqual(bytes[range]) else { return nil }
        var output: [UInt8] = []
        var starts: [Int] = [], ends: [Int] = []
        var offset = range.lowerBound
        for character in original {
            let width = character.utf8.count
            let normalized = apply(list, to: String(character)).utf8
            output += normalized
            starts += repeatElement(offset, count: normalized.count)
            ends += repeatElement(offset + width, count: normalized.count)
            offset += width
        }
        if output.elementsEqual(whole.utf8) { return (output, starts, ends) }
        // Normalization crossed a cluster boundary: ids follow the whole text, offsets the segment.
        let wholeBytes = Array(whole.utf8)
        return (wholeBytes, Array(repeating: range.lowerBound, count: wholeBytes.count),
                Array(repeating: range.upperBound, count: wholeBytes.count))
    }
}
