import Foundation

/// XHTML-safe text helpers shared by the HTML and SVG renderers.
public enum Markup {
    /// `text` with `& < > " '` replaced by entities, so it is safe in element text and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\u{9}", "\u{A}", "\u{D}": out.unicodeScalars.append(scalar)
            default:
                // XML 1.0 forbids other control characters even as references; show them as U+FFFD.
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// A number for display: integers plainly, others with `digits` significant decimals.
    public static func number(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
        if value == value.rounded(), abs(value) < 1e12 { return String(Int64(value)) }
        let magnitude = abs(value)
        if magnitude >= 1e5 || magnitude < 1e-3 { return String(format: "%.\(digits)g", value) }
        return String(format: "%.\(digits)f", value)
    }

    /// A coordinate with two decimals, the precision SVG paths need.
    public static func coord(_ value: Double) -> String {
        String(format: "%.2f", value)
    }

    /// An anchor id made from `name` (letters, digits and '-').
    public static func anchor(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}
