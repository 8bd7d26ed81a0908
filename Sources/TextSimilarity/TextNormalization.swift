import Foundation

/// The one normalisation that decides that two texts are "the same prompt": the world's region split,
/// `gate.dedup` and `gate.eval_leak` all compare texts through `key(_:)`.
public enum TextNormalization {
    /// Drops default-ignorable scalars (zero-width space, joiners, word joiner, BOM, soft hyphen, variation
    /// selectors, bidi controls), applies Unicode NFKC (full-width forms, ligatures, no-break and other spaces),
    /// folds look-alike letters to the Latin letter a reader sees (`Confusables`, a subset of Unicode TR39),
    /// lowercases, drops punctuation and symbols, and collapses whitespace to one space.
    /// ASCII text only loses case, punctuation and extra spaces, so the world's templated prompts keep their keys.
    /// - Complexity: O(characters); ASCII text skips the Unicode passes.
    public static func key(_ text: String) -> String {
        let folded = text.utf8.allSatisfy { $0 < 0x80 } ? text : skeleton(text)
        var out = ""
        out.reserveCapacity(folded.utf8.count)
        var pendingSpace = false
        for character in folded.lowercased() {
            if character.isLetter || character.isNumber {
                if pendingSpace && !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.append(character)
            } else if character.isWhitespace {
                pendingSpace = true
            }
        }
        return out
    }

    /// `key(text)` without its spaces: equal for texts whose only difference is where words break
    /// (a no-break or zero-width space inside a word, two words run together).
    public static func spaceless(_ key: String) -> String {
        String(decoding: key.utf8.filter { $0 != 0x20 }, as: UTF8.self)
    }

    /// Default-ignorable scalars dropped, NFKC, then look-alike letters folded to Latin (case kept).
    static func skeleton(_ text: String) -> String {
        var visible = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !scalar.properties.isDefaultIgnorableCodePoint {
            visible.append(scalar)
        }
        var out = String.UnicodeScalarView()
        for scalar in String(visible).precomposedStringWithCompatibilityMapping.unicodeScalars {
            if scalar.value >= 0x80, let latin = Confusables.latin[scalar.value] {
                out.append(Unicode.Scalar(latin))
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
