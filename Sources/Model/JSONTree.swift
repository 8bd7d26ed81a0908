/// A JSON value with object members in a chosen order, written compactly with UTF-8 kept as is
/// (as Python's `json.dumps(ensure_ascii=False)`); used for files whose key order should read naturally.
indirect enum JSONTree {
    /// An object, members in writing order.
    case object([(String, JSONTree)])
    /// An array.
    case array([JSONTree])
    /// A string.
    case string(String)
    /// An integer.
    case int(Int)
    /// A boolean.
    case bool(Bool)
    /// `null`.
    case null

    /// The JSON text, with a newline at the end.
    var text: String {
        var out = ""
        write(to: &out)
        return out + "\n"
    }

    private func write(to out: inout String) {
        switch self {
        case let .object(members):
            out += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out += "," }
                Self.quote(key, into: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        case let .array(elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                element.write(to: &out)
            }
            out += "]"
        case let .string(text): Self.quote(text, into: &out)
        case let .int(value): out += String(value)
        case let .bool(value): out += value ? "true" : "false"
        case .null: out += "null"
        }
    }

    /// Appends `text` as a JSON string literal.
    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
