import Foundation

extension Value {
    /// Parses JSON text keeping object key order (as Python's `json.loads` does); integers stay ints.
    public static func parseJSON(_ text: String) throws -> Value {
        var parser = JSONReader(scalars: Array(text.unicodeScalars))
        parser.skipSpace()
        let value = try parser.value(path: "$")
        parser.skipSpace()
        guard parser.pos == parser.scalars.count else { throw parser.fail("unexpected text after the value", path: "$") }
        return value
    }

    /// JSON text as Python's `json.dumps(value, ensure_ascii=False, indent=indent)` writes it (keys in order).
    /// - Throws: `ChatTemplateError.badJSON` for values JSON cannot hold (undefined, namespaces, functions).
    public func jsonText(indent: Int? = nil) throws -> String {
        do {
            return try jsonDumps(indent: indent.map { String(repeating: " ", count: max(0, $0)) }, separators: nil, sortKeys: false)
        } catch let error as JSONDumpError {
            throw ChatTemplateError.badJSON("a value of type \(error.typeName) is not JSON serializable")
        }
    }

    /// Python's `json.dumps(value, ensure_ascii=False, indent=indent, separators=..., sort_keys=...)`,
    /// which is transformers' `tojson` filter.
    func jsonDumps(indent: String?, separators: (item: String, key: String)?, sortKeys: Bool) throws -> String {
        let seps = separators ?? (indent == nil ? (", ", ": ") : (",", ": "))
        var out = ""
        try writeJSON(into: &out, indent: indent, level: 0, seps: seps, sortKeys: sortKeys)
        return out
    }

    private func writeJSON(into out: inout String, indent: String?, level: Int,
                           seps: (item: String, key: String), sortKeys: Bool) throws {
        func newline(_ depth: Int) {
            guard let indent else { return }
            out += "\n" + String(repeating: indent, count: depth)
        }
        switch self {
        case .none: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .double(d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else {
                out += Value.pythonFloatRepr(d)
            }
        case let .string(s): out += Value.jsonQuoted(s)
        case let .list(items), let .tuple(items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += seps.item }
                newline(level + 1)
                try item.writeJSON(into: &out, indent: indent, level: level + 1, seps: seps, sortKeys: sortKeys)
            }
            newline(level)
            out += "]"
        case let .dict(d):
            guard d.count > 0 else { out += "{}"; return }
            out += "{"
            let pairs = sortKeys ? d.pairs.sorted { Array($0.0.unicodeScalars).lexicographicallyPrecedes(Array($1.0.unicodeScalars)) { $0.value < $1.value } } : d.pairs
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out += seps.item }
                newline(level + 1)
                out += Value.jsonQuoted(key) + seps.key
                try value.writeJSON(into: &out, indent: indent, level: level + 1, seps: seps, sortKeys: sortKeys)
            }
            newline(level)
            out += "}"
        case .undefined, .object, .function:
            throw JSONDumpError(typeName: typeName)
        }
    }

    /// A JSON string literal with Python's escapes (`ensure_ascii=False`: only controls, quote and backslash).
    static func jsonQuoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

/// `tojson` met a value JSON cannot hold.
struct JSONDumpError: Error {
    /// Python type name of the value.
    let typeName: String
}

/// A small JSON reader that keeps object key order.
private struct JSONReader {
    let scalars: [Unicode.Scalar]
    var pos = 0

    func fail(_ message: String, path: String) -> ChatTemplateError {
        .badJSON("\(message) at \(path) (character \(pos + 1))")
    }

    mutating func skipSpace() {
        while pos < scalars.count, [" ", "\n", "\r", "\t"].contains(scalars[pos]) { pos += 1 }
    }

    mutating func value(path: String) throws -> Value {
        guard pos < scalars.count else { throw fail("unexpected end of input", path: path) }
        switch scalars[pos] {
        case "{":
            pos += 1
            var dict = OrderedDict()
            skipSpace()
            if pos < scalars.count, scalars[pos] == "}" { pos += 1; return .dict(dict) }
            while true {
                skipSpace()
                guard pos < scalars.count, scalars[pos] == "\"" else { throw fail("expected a string key", path: path) }
                let key = try string(path: path)
                skipSpace()
                guard pos < scalars.count, scalars[pos] == ":" else { throw fail("expected ':'", path: path) }
                pos += 1
                skipSpace()
                dict[key] = try value(path: path + "." + key)
                skipSpace()
                guard pos < scalars.count else { throw fail("unterminated object", path: path) }
                if scalars[pos] == "," { pos += 1; continue }
                if scalars[pos] == "}" { pos += 1; return .dict(dict) }
                throw fail("expected ',' or '}'", path: path)
            }
        case "[":
            pos += 1
            var items: [Value] = []
            skipSpace()
            if pos < scalars.count, scalars[pos] == "]" { pos += 1; return .list(items) }
            while true {
                skipSpace()
                items.append(try value(path: "\(path)[\(items.count)]"))
                skipSpace()
                guard pos < scalars.count else { throw fail("unterminated array", path: path) }
                if scalars[pos] == "," { pos += 1; continue }
                if scalars[pos] == "]" { pos += 1; return .list(items) }
                throw fail("expected ',' or ']'", path: path)
            }
        case "\"": return .string(try string(path: path))
        case "t": return try literal("true", .bool(true), path: path)
        case "f": return try literal("false", .bool(false), path: path)
        case "n": return try literal("null", .none, path: path)
        default: return try number(path: path)
        }
    }

    mutating func literal(_ word: String, _ value: Value, path: String) throws -> Value {
        let w = Array(word.unicodeScalars)
        guard pos + w.count <= scalars.count, Array(scalars[pos..<pos + w.count]) == w else {
            throw fail("unexpected character", path: path)
        }
        pos += w.count
        return value
    }

    mutating func number(path: String) throws -> Value {
        let start = pos
        var isFloat = false
        while pos < scalars.count, "+-0123456789.eE".unicodeScalars.contains(scalars[pos]) {
            if ".eE".unicodeScalars.contains(scalars[pos]) { isFloat = true }
            pos += 1
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start..<pos])
        if !isFloat, let i = Int(text) { return .int(i) }
        guard !text.isEmpty, let d = Double(text) else { throw fail("invalid number or unexpected character", path: path) }
        return .double(d)
    }

    mutating func string(path: String) throws -> String {
        pos += 1
        var out = String.UnicodeScalarView()
        while pos < scalars.count {
            let c = scalars[pos]
            pos += 1
            if c == "\"" { return String(out) }
            guard c == "\\" else { out.append(c); continue }
            guard pos < scalars.count else { break }
            let e = scalars[pos]
            pos += 1
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "u":
                var code = try hex4(path: path)
                if (0xD800..<0xDC00).contains(code), pos + 1 < scalars.count, scalars[pos] == "\\", scalars[pos + 1] == "u" {
                    pos += 2
                    let low = try hex4(path: path)
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                out.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: out.append(e)
            }
        }
        throw fail("unterminated string", path: path)
    }

    mutating func hex4(path: String) throws -> UInt32 {
        guard pos + 4 <= scalars.count else { throw fail("short \\u escape", path: path) }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[pos..<pos + 4])
        guard let v = UInt32(text, radix: 16) else { throw fail("bad \\u escape", path: path) }
        pos += 4
        return v
    }
}
