/// Hand-written matchers for the splitting regexes of real byte-level BPE models, equal to
/// Oniguruma's leftmost-first matches of the patterns below (as `tokenizers` runs them).
enum BPEScanner: Sendable, Equatable {
    /// GPT-2 (`ByteLevel` with `use_regex`, and SmolLM after its digit split):
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    case gpt2
    /// Llama 3 (`maxDigits` 3) and Qwen2 (`maxDigits` 1):
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
    case llama3(maxDigits: Int)

    /// The regex source of GPT-2's pattern, as `tokenizer.json` spells it in a `Split`.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    /// The regex source of Llama 3's pattern.
    static let llama3Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    /// The regex source of Qwen2's pattern (single digits).
    static let qwen2Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The scanner for a regex source, when one is hand-written for it.
    init?(pattern: String) {
        switch pattern {
        case Self.gpt2Pattern: self = .gpt2
        case Self.llama3Pattern: self = .llama3(maxDigits: 3)
        case Self.qwen2Pattern: self = .llama3(maxDigits: 1)
        default: return nil
        }
    }

    /// The matches in `bytes[range]`, as byte ranges; they cover the range without gaps.
    /// - Complexity: O(n) in the byte count.
    func matches(in bytes: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        let text = BPEScalarClasses(bytes, range)
        var result: [Range<Int>] = []
        var index = 0
        while index < text.count {
            let end: Int
            switch self {
            case .gpt2: end = Self.gpt2Match(text, at: index)
            case let .llama3(maxDigits): end = Self.llama3Match(text, at: index, maxDigits: maxDigits)
            }
            result.append(text.starts[index]..<text.starts[end])
            index = end
        }
        return result
    }

    /// The length in scalars of a contraction (`'s`, `'re`, …) at `index`, or 0.
    private static func contraction(_ text: BPEScalarClasses, at index: Int, ignoringCase: Bool) -> Int {
        guard text.scalars[index] == 0x27, index + 1 < text.count else { return 0 }
        func letter(_ offset: Int) -> UInt32? {
            guard index + offset < text.count else { return nil }
            let value = text.scalars[index + offset]
            if ignoringCase {
                if value == 0x17F { return 0x73 }  // ſ folds to s
                if (0x41...0x5A).contains(value) { return value + 0x20 }
            }
            return value
        }
        switch letter(1) {
        case 0x73, 0x74, 0x6D, 0x64: return 2  // s t m d
        case 0x72, 0x76: return letter(2) == 0x65 ? 3 : 0  // re ve
        case 0x6C: return letter(2) == 0x6C ? 3 : 0  // ll
        default: return 0
        }
    }

    /// `\s+(?!\S)|\s+` at whitespace `index`: the run, minus its last scalar when text follows.
    private static func trailingWhitespace(_ text: BPEScalarClasses, at index: Int) -> Int {
        let end = text.whitespaceRun(from: index)
        if end == text.count { return end }
        return end - index >= 2 ? end - 1 : end
    }

    /// The end (scalar index) of GPT-2's match at `index`.
    private static func gpt2Match(_ text: BPEScalarClasses, at index: Int) -> Int {
        let length = contraction(text, at: index, ignoringCase: false)
        if length > 0 { return index + length }
        var start = index
        if text.scalars[index] == 0x20, let next = text.at(index + 1), next != .space, next != .newline {
            start = index + 1
        }
        switch text.classes[start] {
        case .letter: return text.run(of: .letter, from: start)
        case .number: return text.run(of: .number, from: start)
        case .other: return text.run(of: .other, from: start)
        case .space, .newline: return trailingWhitespace(text, at: index)
        }
    }

    /// The end (scalar index) of the Llama 3 / Qwen2 match at `index`.
    private static func llama3Match(_ text: BPEScalarClasses, at index: Int, maxDigits: Int) -> Int {
        let length = contraction(text, at: index, ignoringCase: true)
        if length > 0 { return index + length }
        let kind = text.classes[index]
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if kind == .letter { return text.run(of: .letter, from: index) }
        if kind != .newline && kind != .number && text.at(index + 1) == .letter {
            return text.run(of: .letter, from: index + 1)
        }
        // \p{N}{1,maxDigits}
        if kind == .number {
            var end = index + 1
            while end < index + maxDigits && text.at(end) == .number { end += 1 }
            return end
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        var start = index
        if text.scalars[index] == 0x20 && text.at(index + 1) == .other { start = index + 1 }
        if text.classes[start] == .other {
            let end = text.run(of: .other, from: start)
            return text.run(of: .newline, from: end)
        }
        // \s*[\r\n]+ : up to and including the run's last newline
        let end = text.whitespaceRun(from: index)
        var last = end - 1
        while last >= index && text.classes[last] != .newline { last -= 1 }
        if last >= index { return last + 1 }
        return trailingWhitespace(text, at: index)
    }
}
