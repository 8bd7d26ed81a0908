/// An added token of a BPE tokenizer (`added_tokens` in `tokenizer.json`).
struct BPEAddedToken: Sendable, Equatable {
    /// The token id.
    var id: Int32
    /// The text that stands for it.
    var content: String
    /// Whether it is special (skipped by `decode` unless shown, matched only with `allowSpecial`).
    var special: Bool
    /// Matched only when not inside a word.
    var singleWord = false
    /// Whitespace on its left joins it.
    var lstrip = false
    /// Whitespace on its right joins it.
    var rstrip = false
    /// Matched in normalized text (second pass) rather than in the raw text.
    var normalized = false
}

/// Finds added tokens in text the way `tokenizers`' `AddedVocabulary` does: leftmost-longest
/// matches, first of the tokens that are not normalized, then of the normalized ones in the gaps.
struct BPEAddedTokens: Sendable {
    /// The tokens, in file order.
    let tokens: [BPEAddedToken]
    /// For each first byte, the token indices of each pass that start with it, longest first.
    private let byFirstByte: [[[Int]]]
    private let contents: [[UInt8]]

    /// A matcher for `tokens`.
    init(_ tokens: [BPEAddedToken]) {
        self.tokens = tokens
        let contents = tokens.map { Array($0.content.utf8) }
        self.contents = contents
        var table = [[[Int]]](repeating: [[Int]](repeating: [], count: 256), count: 2)
        for (index, token) in tokens.enumerated() where !token.content.isEmpty {
            table[token.normalized ? 1 : 0][Int(contents[index][0])].append(index)
        }
        for pass in 0..<2 {
            for byte in 0..<256 { table[pass][byte].sort { contents[$0].count > contents[$1].count } }
        }
        byFirstByte = table
    }

    /// The segments of `bytes`: runs of text (`id` nil) and added tokens with their ids.
    /// Special tokens are matched only when `allowSpecial`; otherwise their text stays text.
    func split(_ bytes: [UInt8], allowSpecial: Bool) -> [(range: Range<Int>, id: Int32?)] {
        guard !tokens.isEmpty else { return bytes.isEmpty ? [] : [(0..<bytes.count, nil)] }
        var result: [(range: Range<Int>, id: Int32?)] = []
        for segment in find(pass: 0, in: bytes, 0..<bytes.count, allowSpecial: allowSpecial) {
            if segment.id != nil {
                result.append(segment)
            } else {
                result += find(pass: 1, in: bytes, segment.range, allowSpecial: allowSpecial)
            }
        }
        return result
    }

    private func find(pass: Int, in bytes: [UInt8], _ range: Range<Int>,
                      allowSpecial: Bool) -> [(range: Range<Int>, id: Int32?)] {
        var result: [(range: Range<Int>, id: Int32?)] = []
        var textStart = range.lowerBound
        var index = range.lowerBound
        while index < range.upperBound {
            let candidates = byFirstByte[pass][Int(bytes[index])]
            guard let found = candidates.first(where: { candidate in
                let content = contents[candidate]
                return index + content.count <= range.upperBound
                    && bytes[index..<index + content.count].elementsEqual(content)
            }) else {
                index += 1
                continue
            }
            let token = tokens[found]
            var start = index
            var stop = index + contents[found].count
            index = stop
            if token.special && !allowSpecial { continue }
            if token.singleWord && (Self.wordCharacterEnds(bytes, before: start, from: range.lowerBound)
                                    || Self.wordCharacterStarts(bytes, at: stop, before: range.upperBound)) {
                continue
            }
            if token.lstrip {
                while start > textStart && Self.isWhitespaceByte(bytes[start - 1]) { start -= 1 }
            }
            if token.rstrip {
                while stop < range.upperBound && Self.isWhitespaceByte(bytes[stop]) { stop += 1 }
                index = stop
            }
            if textStart < start { result.append((textStart..<start, nil)) }
            result.append((start..<stop, token.id))
            textStart = stop
        }
        if textStart < range.upperBound { result.append((textStart..<range.upperBound, nil)) }
        return result
    }

    private static func isWhitespaceByte(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// Whether the scalar ending at `index` is a word character (letter, number or `_`).
    private static func wordCharacterEnds(_ bytes: [UInt8], before index: Int, from lower: Int) -> Bool {
        guard index > lower else { return false }
        var start = index - 1
        while start > lower && bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return isWordScalar(bytes, start..<index)
    }

    /// Whether the scalar starting at `index` is a word character.
    private static func wordCharacterStarts(_ bytes: [UInt8], at index: Int, before upper: Int) -> Bool {
        guard index < upper else { return false }
        var end = index + 1
        while end < upper && bytes[end] & 0xC0 == 0x80 { end += 1 }
        return isWordScalar(bytes, index..<end)
    }

    private static func isWordScalar(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        if bytes[range.lowerBound] == UInt8(ascii: "_") { return true }
        let kind = BPEScalarClasses(bytes, range).classes.first
        return kind == .letter || kind == .number
    }
}
