@testable import TextSimilarity
import XCTest

/// `TextNormalization.key`: look-alike letters, invisible and no-break characters, NFKC, and ASCII left as it was.
final class TextNormalizationTests: XCTestCase {
    func testLookAlikeLettersFoldToLatin() {
        let latin = TextNormalization.key("What is the capital of Australia?")
        XCTAssertEqual(TextNormalization.key("Wh\u{0430}t is the c\u{0430}pit\u{0430}l of Austr\u{0430}li\u{0430}?"), latin, "Cyrillic a")
        XCTAssertEqual(TextNormalization.key("WHAT IS THE CAPITAL \u{039F}F AUSTRALIA"), latin, "Greek capital Omicron")
        XCTAssertEqual(TextNormalization.key("\u{0412}\u{0415}\u{041D}"), "beh", "Cyrillic capitals read as B, E, H")
        XCTAssertEqual(TextNormalization.key("\u{0397}\u{03B7}"), "hn", "Greek Eta reads as H, its small form as n")
        XCTAssertEqual(TextNormalization.key("ｗｈａｔ ｉｓ"), "what is", "full-width forms through NFKC")
        XCTAssertEqual(TextNormalization.key("\u{1D41A}\u{1D41B}c"), "abc", "mathematical bold through NFKC")
        XCTAssertNotEqual(TextNormalization.key("\u{0436}"), TextNormalization.key("x"), "a Cyrillic letter with no Latin look-alike stays")
    }

    func testInvisibleAndNoBreakCharactersAreDropped() {
        XCTAssertEqual(TextNormalization.key("cap\u{200B}ital ci\u{200D}ty"), "capital city", "zero-width space and joiner")
        XCTAssertEqual(TextNormalization.key("cap\u{200C}ital\u{2060} \u{FEFF}city\u{00AD}"), "capital city", "non-joiner, word joiner, BOM, soft hyphen")
        XCTAssertEqual(TextNormalization.key("capital\u{00A0}city\u{202F}now"), "capital city now", "no-break spaces separate words")
        XCTAssertEqual(TextNormalization.spaceless(TextNormalization.key("capi\u{00A0}tal city")),
                       TextNormalization.spaceless(TextNormalization.key("capital city")), "a no-break space inside a word")
    }

    func testASCIIOnlyLosesCasePunctuationAndSpacing() {
        XCTAssertEqual(TextNormalization.key("  Which is LARGER,  23 or 57?! "), "which is larger 23 or 57")
        XCTAssertEqual(TextNormalization.key("I1l0O rn m"), "i1l0o rn m", "ASCII look-alikes are not folded")
    }
}
