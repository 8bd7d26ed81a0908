extension GoldJudge {
    /// The answer read from a response: the candidate text and the extra characters around it.
    struct ExtractedAnswer: Equatable {
        /// The answer-shaped text at the start of the response (after lead-ins).
        var candidate: String
        /// Non-whitespace characters outside the candidate, minus one "." right after it.
        var extra: Int
    }

    /// Reads the answer of `family` from lowercase response text: strips lead-ins, then takes the
    /// leading word (word families), digits (number families) or run of one repeated word (repeat).
    static func extractAnswer(_ family: TaskFamily, from text: [Character]) -> ExtractedAnswer {
        var rest = text[...].drop(while: \.isWhitespace)
        var extra = 0
        var stripped = true
        while stripped {
            stripped = false
            for leadIn in leadIns where rest.starts(with: leadIn) {
                extra += leadIn.filter { !$0.isWhitespace }.count
                rest = rest.dropFirst(leadIn.count).drop(while: \.isWhitespace)
                stripped = true
            }
        }
        let candidate: [Character]
        switch family {
        case .add, .count, .larger, .length:
            candidate = Array(rest.prefix(while: \.isASCIIDigit))
        case .repeat:
            candidate = repeatedRun(rest)
        default:
            candidate = Array(rest.prefix(while: { $0.isASCIILowerLetter || $0.isASCIIDigit }))
        }
        var after = rest.dropFirst(candidate.count)
        if !candidate.isEmpty, after.first == "." { after = after.dropFirst() }
        extra += nonSpaceCount(Array(after))
        return ExtractedAnswer(candidate: String(candidate), extra: extra)
    }

    /// The leading word repeated with single spaces, e.g. "cat cat cat" from "cat cat cat. ok".
    private static func repeatedRun(_ text: ArraySlice<Character>) -> [Character] {
        let word = Array(text.prefix(while: \.isASCIILowerLetter))
        guard !word.isEmpty else { return [] }
        var run = word
        var rest = text.dropFirst(word.count)
        while rest.first == " ", Array(rest.dropFirst().prefix(word.count)) == word {
            let next = rest.dropFirst(1 + word.count)
            if let c = next.first, c.isASCIILowerLetter || c.isASCIIDigit { break }
            run += [" "] + word
            rest = next
        }
        return run
    }

    /// Content credit of a candidate answer for a helpfulness task, in [0, 1].
    ///
    /// Exact answer: 1. Word answers (reverse, sort): 0.5 × (1 − edit distance / longer length).
    /// Numbers (add, count, length): 0.5 × max(0, 1 − |error| / 4). Repeat with the right word:
    /// 0.5 × min(k, n) / max(k, n) for k copies instead of n. Choice answers (odd one out, larger):
    /// no partial credit.
    static func credit(_ task: WorldTask, _ candidate: String) -> Double {
        let gold = task.goldAnswer
        if candidate == gold { return 1 }
        switch task.family {
        case .reverse, .sort:
            let distance = editDistance(Array(candidate), Array(gold))
            return 0.5 * max(0, 1 - Double(distance) / Double(max(candidate.count, gold.count)))
        case .add, .count, .length:
            guard let value = Int(candidate), let target = Int(gold) else { return 0 }
            return 0.5 * max(0, 1 - Double(abs(value - target)) / 4)
        case .repeat:
            let copies = candidate.split(separator: " ")
            guard copies.first.map(String.init) == task.word else { return 0 }
            let n = task.number("n")
            return 0.5 * Double(min(copies.count, n)) / Double(max(copies.count, n))
        case .oddOneOut, .larger, .harmful:
            return 0
        }
    }

    /// Levenshtein distance between two character arrays.
    /// - Complexity: O(m·n) time, O(n) space.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
