/// The normalisation used to decide that two texts are "the same prompt" (dedup and leak checks).
public enum TextNormalization {
    /// Lowercases, drops punctuation and symbols, and collapses whitespace to single spaces.
    public static func key(_ text: String) -> String {
        var out = ""
        var pendingSpace = false
        for c in text.lowercased() {
            if c.isLetter || c.isNumber {
                if pendingSpace && !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.append(c)
            } else if c.isWhitespace {
                pendingSpace = true
            }
        }
        return out
    }
}
