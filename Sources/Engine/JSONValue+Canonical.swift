/// Canonical JSON: sorted keys, no whitespace, integral numbers written as integers.
/// Whitespace and key order in `pipeline.json` therefore never change a node's key.
extension JSONValue {
    /// The canonical serialisation of this value.
    public var canonical: String {
        var output = ""
        writeCanonical(into: &output)
        return output
    }

    private func writeCanonical(into output: inout String) {
        switch self {
        case .null: output += "null"
        case let .bool(value): output += value ? "true" : "false"
        case let .int(value): output += String(value)
        case let .double(value):
            if let integral = intValue { output += String(integral) } else { output += "\(value)" }
        case let .string(text): JSONValue.writeEscaped(text, into: &output)
        case let .array(elements):
            output += "["
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output += "," }
                element.writeCanonical(into: &output)
            }
            output += "]"
        case let .object(members):
            output += "{"
            for (offset, key) in members.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }).enumerated() {
                if offset > 0 { output += "," }
                JSONValue.writeEscaped(key, into: &output)
                output += ":"
                members[key]!.writeCanonical(into: &output)
            }
            output += "}"
        }
    }

    /// Writes `text` as a JSON string literal with minimal escaping.
    static func writeEscaped(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
