import Foundation

/// What `Split` does with the pieces a pattern matches (`tokenizers`' `SplitDelimiterBehavior`).
enum BPESplitBehavior: String, Sendable, CaseIterable {
    /// Matches are dropped.
    case removed = "Removed"
    /// Matches become pieces of their own.
    case isolated = "Isolated"
    /// A match joins the piece before it.
    case mergedWithPrevious = "MergedWithPrevious"
    /// A match joins the piece after it.
    case mergedWithNext = "MergedWithNext"
    /// Consecutive matches join into one piece.
    case contiguous = "Contiguous"
}

/// What a `Split` pre-tokenizer looks for.
enum BPESplitPattern: @unchecked Sendable {
    /// A regex with a hand-written scanner (GPT-2, Llama 3, Qwen2).
    case scanner(BPEScanner, source: String)
    /// Any other regex, run by `NSRegularExpression` (ICU).
    case regex(NSRegularExpression)
    /// A literal string.
    case literal([UInt8])
    /// Each scalar that is `\p{N}` (`Digits`).
    case numeric

    /// The matching byte ranges in `bytes[range]`, ascending and disjoint.
    func matches(in bytes: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        switch self {
        case let .scanner(scanner, _):
            return scanner.matches(in: bytes, range)
        case let .literal(needle):
            guard !needle.isEmpty else { return [] }
            var result: [Range<Int>] = []
            var index = range.lowerBound
            while index + needle.count <= range.upperBound {
                if bytes[index..<index + needle.count].elementsEqual(needle) {
                    result.append(index..<index + needle.count)
                    index += needle.count
                } else {
                    index += 1
                }
            }
            return result
        case .numeric:
            let text = BPEScalarClasses(bytes, range)
            return (0..<text.count).filter { text.classes[$0] == .number }.map { text.starts[$0]..<text.starts[$0 + 1] }
        case let .regex(expression):
            let string = String(decoding: bytes[range], as: UTF8.self)
            let utf16 = Array(string.utf16)
            // UTF-16 offset → byte offset.
            var byteOffsets = [Int](repeating: 0, count: utf16.count + 1)
            var byte = range.lowerBound
            var unit = 0
            for scalar in string.unicodeScalars {
                let units = UTF16.width(scalar)
                for step in 0..<units { byteOffsets[unit + step] = byte }
                unit += units
                byte += UTF8.width(scalar)
            }
            byteOffsets[utf16.count] = byte
            return expression.matches(in: string, range: NSRange(location: 0, length: utf16.count)).compactMap { match in
                let lower = byteOffsets[match.range.location], upper = byteOffsets[match.range.location + match.range.length]
                return lower < upper ? lower..<upper : nil
            }
        }
    }
}

/// One pre-tokenizer of a byte-level BPE pipeline (`Sequence`s are flattened into a list of these).
enum BPEPreTokenizer: Sendable {
    /// `ByteLevel`: optionally a space before each piece not starting with one, then GPT-2's regex.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    /// `Split` with a pattern, a behavior and `invert`.
    case split(BPESplitPattern, behavior: BPESplitBehavior, invert: Bool)
    /// `Digits`: numbers apart from the rest, each digit alone when `individual`.
    case digits(individual: Bool)

    /// Splits `piece` (a byte range of `bytes`) into the pieces this pre-tokenizer makes, in order, without empty ones.
    func split(_ piece: Range<Int>, in bytes: [UInt8]) -> [Range<Int>] {
        switch self {
        case let .byteLevel(_, useRegex):
            return useRegex ? BPEScanner.gpt2.matches(in: bytes, piece) : [piece]
        case let .split(pattern, behavior, invert):
            return Self.apply(behavior, invert: invert, matches: pattern.matches(in: bytes, piece), to: piece)
        case let .digits(individual):
            return Self.apply(individual ? .isolated : .contiguous, invert: false,
                              matches: BPESplitPattern.numeric.matches(in: bytes, piece), to: piece)
        }
    }

    /// The pieces of `piece` given its pattern `matches`, as `tokenizers`' `NormalizedString::split` makes them.
    static func apply(_ behavior: BPESplitBehavior, invert: Bool, matches: [Range<Int>],
                      to piece: Range<Int>) -> [Range<Int>] {
        // The piece as alternating gaps and matches.
        var parts: [(range: Range<Int>, isMatch: Bool)] = []
        var previous = piece.lowerBound
        for match in matches {
            if previous < match.lowerBound { parts.append((previous..<match.lowerBound, invert)) }
            parts.append((match, !invert))
            previous = match.upperBound
        }
        if previous < piece.upperBound { parts.append((previous..<piece.upperBound, invert)) }

        var result: [Range<Int>] = []
        var previousMatch = false
        switch behavior {
        case .isolated:
            result = parts.map(\.range)
        case .removed:
            result = parts.filter { !$0.isMatch }.map(\.range)
        case .mergedWithPrevious:
            for part in parts {
                if part.isMatch && !previousMatch, let last = result.last {
                    result[result.count - 1] = last.lowerBound..<part.range.upperBound
                } else {
                    result.append(part.range)
                }
                previousMatch = part.isMatch
            }
        case .mergedWithNext:
            for part in parts.reversed() {
                if part.isMatch && !previousMatch, let last = result.last {
                    result[result.count - 1] = part.range.lowerBound..<last.upperBound
                } else {
                    result.append(part.range)
                }
                previousMatch = part.isMatch
            }
            result.reverse()
        case .contiguous:
            for part in parts {
                if part.isMatch == previousMatch, let last = result.last {
                    result[result.count - 1] = last.lowerBound..<part.range.upperBound
                } else {
                    result.append(part.range)
                }
                previousMatch = part.isMatch
            }
        }
        return result.filter { !$0.isEmpty }
    }
}
