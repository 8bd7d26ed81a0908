/// One lexical token of a template.
struct Token {
    /// What the token is.
    enum Kind: Equatable {
        /// Literal template text, whitespace control already applied.
        case text(String)
        /// `{{`, `}}`, `{%` and `%}`.
        case variableBegin, variableEnd, blockBegin, blockEnd
        /// An identifier inside a tag.
        case name(String)
        /// A string literal, escapes resolved.
        case string(String)
        /// Number literals.
        case int(Int), float(Double)
        /// An operator or punctuation (`+`, `==`, `(`, `|`, ...).
        case op(String)
        /// End of the template.
        case end
    }
    /// The kind and payload.
    let kind: Kind
    /// Where the token starts.
    let location: SourceLocation
}

/// Splits a template into tokens the way jinja2's lexer does with `trim_blocks=True`, `lstrip_blocks=True`.
///
/// The source is normalised first (`\r\n` and `\r` become `\n`, one trailing newline is dropped, as with
/// jinja2's default `keep_trailing_newline=False`).
struct Lexer {
    private let s: [Unicode.Scalar]
    private var lineStarts: [Int] = [0]
    private var pos = 0
    private var tokens: [Token] = []
    /// Whether the previous match ended with a newline (jinja2's `line_starting`).
    private var lineStarting = true

    /// A lexer over `source`.
    init(source: String) {
        var scalars: [Unicode.Scalar] = []
        var it = Array(source.unicodeScalars)[...]
        while let c = it.popFirst() {
            if c == "\r" {
                if it.first == "\n" { it.removeFirst() }
                scalars.append("\n")
            } else {
                scalars.append(c)
            }
        }
        if scalars.last == "\n" { scalars.removeLast() }
        s = scalars
        for (i, c) in s.enumerated() where c == "\n" { lineStarts.append(i + 1) }
    }

    /// The 1-based line and column of scalar index `i`.
    func location(_ i: Int) -> SourceLocation {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= i { lo = mid } else { hi = mid - 1 }
        }
        return SourceLocation(line: lo + 1, column: i - lineStarts[lo] + 1)
    }

    /// All tokens, ending with `.end`.
    mutating func tokenize() throws -> [Token] {
        while pos < s.count {
            guard let (start, kind) = nextTagStart(from: pos) else {
                emitText(String(scalarsIn: s[pos...]), at: pos)
                pos = s.count
                break
            }
            var text = Array(s[pos..<start])
            let sign: Unicode.Scalar? = start + 2 < s.count && (s[start + 2] == "-" || s[start + 2] == "+") ? s[start + 2] : nil
            if sign == "-" {
                while let last = text.last, last.isPythonSpace { text.removeLast() }
            } else if sign != "+", kind != "{" {
                let lPos = (text.lastIndex(of: "\n") ?? -1) + 1
                if (lPos > 0 || lineStarting), text[lPos...].allSatisfy({ $0 == " " || $0 == "\t" }) {
                    text.removeSubrange(lPos...)
                }
            }
            emitText(String(scalarsIn: text[...]), at: pos)
            let bodyStart = start + 2 + (sign == nil ? 0 : 1)
            switch kind {
            case "#": try skipComment(openedAt: start, bodyStart: bodyStart)
            case "%":
                try rejectRaw(at: start, bodyStart: bodyStart)
                tokens.append(Token(kind: .blockBegin, location: location(start)))
                try tokenizeTag(from: bodyStart, closer: "%", openedAt: start)
            default:
                tokens.append(Token(kind: .variableBegin, location: location(start)))
                try tokenizeTag(from: bodyStart, closer: "}", openedAt: start)
            }
        }
        tokens.append(Token(kind: .end, location: location(s.count)))
        return tokens
    }

    private mutating func emitText(_ text: String, at index: Int) {
        guard !text.isEmpty else { return }
        tokens.append(Token(kind: .text(text), location: location(index)))
    }

    /// The index of the next `{{`, `{%` or `{#` at or after `from`, and its second character.
    private func nextTagStart(from: Int) -> (Int, Unicode.Scalar)? {
        var i = from
        while i + 1 < s.count {
            if s[i] == "{", s[i + 1] == "{" || s[i + 1] == "%" || s[i + 1] == "#" { return (i, s[i + 1]) }
            i += 1
        }
        return nil
    }

    /// Skips `{# ... #}` and applies the whitespace control of its end.
    private mutating func skipComment(openedAt start: Int, bodyStart: Int) throws {
        var i = bodyStart
        while i + 1 < s.count, !(s[i] == "#" && s[i + 1] == "}") { i += 1 }
        guard i + 1 < s.count else { throw ChatTemplateError.syntax("comment is not closed with '#}'", at: location(start)) }
        let minus = i > bodyStart && s[i - 1] == "-"
        let plus = i > bodyStart && s[i - 1] == "+"
        pos = i + 2
        finishTag(minus: minus, plus: plus)
    }

    /// After a tag end at `pos`: `-` strips all following whitespace, otherwise trim_blocks drops one newline.
    private mutating func finishTag(minus: Bool, plus: Bool, isBlock: Bool = true) {
        var consumedNewline = false
        if minus {
            while pos < s.count, s[pos].isPythonSpace { consumedNewline = s[pos] == "\n"; pos += 1 }
        } else if isBlock, !plus, pos < s.count, s[pos] == "\n" {
            pos += 1
            consumedNewline = true
        }
        lineStarting = consumedNewline
    }

    private func rejectRaw(at start: Int, bodyStart: Int) throws {
        var i = bodyStart
        while i < s.count, s[i].isPythonSpace { i += 1 }
        var word = ""
        while i < s.count, s[i].isIdentifierPart { word.unicodeScalars.append(s[i]); i += 1 }
        if word == "raw" { throw ChatTemplateError.unsupported("{% raw %} blocks", at: location(start)) }
    }

    /// Tokens of one `{% ... %}` or `{{ ... }}` tag; ends are recognised only with brackets balanced, like jinja2.
    private mutating func tokenizeTag(from bodyStart: Int, closer: Unicode.Scalar, openedAt start: Int) throws {
        pos = bodyStart
        var depth: [Unicode.Scalar] = []
        while true {
            while pos < s.count, s[pos].isPythonSpace { pos += 1 }
            guard pos < s.count else {
                let what = closer == "%" ? "'%}'" : "'}}'"
                throw ChatTemplateError.syntax("tag is not closed with \(what)", at: location(start))
            }
            if depth.isEmpty {
                if s[pos] == "-" || s[pos] == "+", pos + 2 < s.count, s[pos + 1] == closer, s[pos + 2] == "}" {
                    let minus = s[pos] == "-"
                    tokens.append(Token(kind: closer == "%" ? .blockEnd : .variableEnd, location: location(pos)))
                    pos += 3
                    finishTag(minus: minus, plus: !minus, isBlock: closer == "%")
                    return
                }
                if s[pos] == closer, pos + 1 < s.count, s[pos + 1] == "}" {
                    tokens.append(Token(kind: closer == "%" ? .blockEnd : .variableEnd, location: location(pos)))
                    pos += 2
                    finishTag(minus: false, plus: false, isBlock: closer == "%")
                    return
                }
            }
            let here = location(pos)
            let c = s[pos]
            if c.isIdentifierStart {
                var word = ""
                while pos < s.count, s[pos].isIdentifierPart { word.unicodeScalars.append(s[pos]); pos += 1 }
                tokens.append(Token(kind: .name(word), location: here))
            } else if c.properties.numericType != nil, c.isASCII {
                tokens.append(Token(kind: try number(), location: here))
            } else if c == "'" || c == "\"" {
                tokens.append(Token(kind: .string(try stringLiteral(quote: c)), location: here))
            } else {
                let two = pos + 1 < s.count ? String(scalarsIn: s[pos...pos + 1]) : ""
                if ["//", "**", "==", "!=", "<=", ">="].contains(two) {
                    tokens.append(Token(kind: .op(two), location: here))
                    pos += 2
                    continue
                }
                guard "+-/*%~[](){}<>=.:|,;!".unicodeScalars.contains(c) else {
                    throw ChatTemplateError.syntax("unexpected character '\(Character(c))'", at: here)
                }
                if c == "(" || c == "[" || c == "{" { depth.append(c) }
                if c == ")" || c == "]" || c == "}" {
                    let open: Unicode.Scalar = c == ")" ? "(" : c == "]" ? "[" : "{"
                    guard depth.last == open else { throw ChatTemplateError.syntax("unexpected '\(Character(c))'", at: here) }
                    depth.removeLast()
                }
                tokens.append(Token(kind: .op(String(Character(c))), location: here))
                pos += 1
            }
        }
    }

    private mutating func number() throws -> Token.Kind {
        let start = pos
        func digits() { while pos < s.count, s[pos].isASCIIDigit || s[pos] == "_" { pos += 1 } }
        digits()
        var isFloat = false
        if pos + 1 < s.count, s[pos] == ".", s[pos + 1].isASCIIDigit {
            isFloat = true
            pos += 1
            digits()
        }
        if pos < s.count, s[pos] == "e" || s[pos] == "E" {
            var j = pos + 1
            if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
            if j < s.count, s[j].isASCIIDigit {
                isFloat = true
                pos = j
                digits()
            }
        }
        let text = String(scalarsIn: s[start..<pos]).replacingOccurrences(of: "_", with: "")
        if !isFloat, let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { throw ChatTemplateError.syntax("bad number '\(text)'", at: location(start)) }
        return .float(d)
    }

    /// A quoted string with Python's escapes (`\n`, `\t`, `\\`, `\'`, `\"`, `\xNN`, `\uNNNN`, ...).
    private mutating func stringLiteral(quote: Unicode.Scalar) throws -> String {
        let start = pos
        pos += 1
        var out = String.UnicodeScalarView()
        while pos < s.count {
            let c = s[pos]
            pos += 1
            if c == quote { return String(out) }
            guard c == "\\", pos < s.count else { out.append(c); continue }
            let e = s[pos]
            pos += 1
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "0": out.append("\0")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "v": out.append("\u{0B}")
            case "\n": break
            case "x", "u", "U":
                let n = e == "x" ? 2 : e == "u" ? 4 : 8
                guard pos + n <= s.count, let v = UInt32(String(scalarsIn: s[pos..<pos + n]), radix: 16),
                      let scalar = Unicode.Scalar(v) else {
                    throw ChatTemplateError.syntax("bad \\\(Character(e)) escape in string", at: location(pos - 2))
                }
                out.append(scalar)
                pos += n
            default:
                out.append("\\")
                out.append(e)
            }
        }
        throw ChatTemplateError.syntax("string literal is not closed", at: location(start))
    }
}

extension Unicode.Scalar {
    /// Python's `str.isspace()` for one character (what jinja2's `\s` and `rstrip()` strip).
    var isPythonSpace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x1F, 0x20, 0x85, 0xA0: return true
        default: return value > 0x7F && properties.isWhitespace
        }
    }

    /// `0`-`9`.
    var isASCIIDigit: Bool { value >= 48 && value <= 57 }
    /// An ASCII letter or underscore (jinja2 names are ASCII here).
    var isIdentifierStart: Bool { (value >= 65 && value <= 90) || (value >= 97 && value <= 122) || value == 95 }
    /// A letter, digit or underscore.
    var isIdentifierPart: Bool { isIdentifierStart || isASCIIDigit }
}

extension String {
    /// A string of the given scalars.
    init<S: Sequence>(scalarsIn scalars: S) where S.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        self = String(view)
    }
}
