/// A prompt template such as "reverse the word {w}.": literal text with named slots.
///
/// Slot names fix what a slot may hold: `w` a word, `c` one letter, `a`/`b`/`n` a number,
/// `l` a comma-separated option list, `p`/`t`/`s` a person/thing/place from `Vocabulary`.
struct PromptTemplate: Sendable {
    /// One piece of a template: literal text or a named slot.
    enum Piece: Sendable, Equatable {
        /// Text that must appear verbatim (after parse normalisation).
        case literal([Character])
        /// A slot, named by one letter.
        case slot(Character)
    }

    /// The template text as written, e.g. "reverse the word {w}.".
    let text: String
    /// The template split into pieces, normalised for matching (trailing punctuation dropped).
    let pieces: [Piece]

    /// Parses the `{x}` slot syntax of `text`.
    init(_ text: String) {
        self.text = text
        var pieces: [Piece] = []
        var literal: [Character] = []
        let chars = Array(PromptTemplate.normalizeForMatching(text))
        var i = 0
        while i < chars.count {
            if chars[i] == "{", i + 2 < chars.count, chars[i + 2] == "}" {
                if !literal.isEmpty { pieces.append(.literal(literal)); literal = [] }
                pieces.append(.slot(chars[i + 1]))
                i += 3
            } else {
                literal.append(chars[i])
                i += 1
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
    }

    /// Fills the slots with `values` (keyed by slot name) to produce prompt text.
    func render(_ values: [Character: String]) -> String {
        var out = ""
        var chars = Array(text)[...]
        while let c = chars.first {
            if c == "{", chars.count >= 3, chars[chars.startIndex + 2] == "}" {
                out += values[chars[chars.startIndex + 1]] ?? ""
                chars = chars.dropFirst(3)
            } else {
                out.append(c)
                chars = chars.dropFirst()
            }
        }
        return out
    }

    /// Matches already-normalised text against the whole template, returning slot values or nil.
    /// - Complexity: O(n²) in the text length at worst (slots backtrack), tiny for prompts.
    func match(_ text: [Character]) -> [Character: String]? {
        var values: [Character: String] = [:]
        return match(pieceIndex: 0, at: 0, in: text, values: &values) ? values : nil
    }

    /// Recursive backtracking matcher over the pieces.
    private func match(pieceIndex: Int, at position: Int, in text: [Character],
                       values: inout [Character: String]) -> Bool {
        if pieceIndex == pieces.count { return position == text.count }
        switch pieces[pieceIndex] {
        case .literal(let literal):
            guard position + literal.count <= text.count,
                  Array(text[position..<position + literal.count]) == literal else { return false }
            return match(pieceIndex: pieceIndex + 1, at: position + literal.count, in: text, values: &values)
        case .slot(let name):
            var end = position
            while end < text.count, PromptTemplate.slotAllows(name, text[end]) { end += 1 }
            while end > position {
                let value = String(text[position..<end])
                if PromptTemplate.slotAccepts(name, value) {
                    values[name] = value
                    if match(pieceIndex: pieceIndex + 1, at: end, in: text, values: &values) { return true }
                }
                end -= 1
            }
            values[name] = nil
            return false
        }
    }

    /// Whether a character may appear inside the named slot.
    private static func slotAllows(_ slot: Character, _ c: Character) -> Bool {
        switch slot {
        case "a", "b", "n": return c.isASCIIDigit
        case "l": return c.isASCIILowerLetter || c.isASCIIDigit || c == "," || c == " "
        default: return c.isASCIILowerLetter
        }
    }

    /// Whether a whole candidate value is acceptable for the named slot.
    private static func slotAccepts(_ slot: Character, _ value: String) -> Bool {
        switch slot {
        case "w": return value.count <= 16
        case "c": return value.count == 1
        case "a", "b", "n": return value.count <= 3
        case "l": return value.first != " " && value.last != " " && value.last != ","
        case "p": return Vocabulary.people.contains(value)
        case "t": return Vocabulary.things.contains(value)
        case "s": return Vocabulary.places.contains(value)
        default: return false
        }
    }

    /// Lowercases, maps curly apostrophes, collapses whitespace (also before commas) and drops
    /// trailing `.?!` so case, spacing and end punctuation never change what a prompt means.
    static func normalizeForMatching(_ text: String) -> String {
        var out: [Character] = []
        var pendingSpace = false
        for raw in text.lowercased() {
            let c: Character = raw == "\u{2019}" ? "'" : raw
            if c.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace && c != "," { out.append(" ") }
            pendingSpace = false
            out.append(c)
        }
        while let last = out.last, last == "." || last == "?" || last == "!" || last == " " {
            out.removeLast()
        }
        return String(out)
    }
}
