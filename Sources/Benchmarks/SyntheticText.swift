import TextSimilarity

/// Deterministic pseudo-English for benchmarks: Zipf-like word frequencies over a syllable vocabulary.
struct SyntheticText {
    /// The vocabulary, most frequent first.
    private let words: [String]
    /// Generator state.
    private var state: UInt64

    /// A generator seeded with `seed` over a 5,000-word vocabulary.
    init(seed: UInt64) {
        state = seed
        let syllables = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "dor", "pi", "qua", "zen", "ul", "bri", "ost", "ne", "fa"]
        var vocabulary: [String] = []
        var index = 0
        while vocabulary.count < 5_000 {
            var word = "", value = index
            repeat {
                word += syllables[value % syllables.count]
                value /= syllables.count
            } while value > 0
            vocabulary.append(word)
            index += 1
        }
        words = vocabulary
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state = GateText.mix(state)
        return state
    }

    /// A uniform integer in `0..<bound`.
    mutating func index(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// A sentence of `range` words (frequent words far more likely), capitalised, ending in "." or "?".
    mutating func sentence(_ range: ClosedRange<Int>) -> String {
        let count = range.lowerBound + index(below: range.count)
        var parts: [String] = []
        for _ in 0..<count {
            let u = Double(next() >> 11) / Double(1 << 53)
            parts.append(words[min(words.count - 1, Int(Double(words.count) * u * u * u))])
        }
        let text = parts.joined(separator: " ")
        return text.prefix(1).uppercased() + text.dropFirst() + (next() % 2 == 0 ? "." : "?")
    }

    /// `text` with changed case, doubled spaces and different end punctuation (equal after normalisation).
    mutating func reword(_ text: String) -> String {
        var core = text
        while let last = core.last, last == "." || last == "?" { core.removeLast() }
        return "  " + core.uppercased().replacingOccurrences(of: " ", with: "  ") + "?!"
    }
}
