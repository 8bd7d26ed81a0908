import Foundation
@testable import Model
import XCTest

/// The byte tokenizer: round trips, specials, lossy decoding.
final class TokenizerTests: XCTestCase {
    private let tokenizer = ByteTokenizer()

    /// 262 ids: bytes, then the six specials at 256…261.
    func testVocabularyLayout() {
        XCTAssertEqual(tokenizer.vocabSize, 262)
        XCTAssertEqual(tokenizer.special, SpecialTokens(bos: 256, eos: 257, pad: 258, system: 259, user: 260, assistant: 261))
        XCTAssertEqual(tokenizer.special.all.map(\.id), Array(256...261))
        XCTAssertEqual(tokenizer.special.text(for: 257), "<|eos|>")
        XCTAssertNil(tokenizer.special.text(for: 65))
    }

    /// ASCII, multibyte UTF-8, control bytes and empty text round trip.
    func testRoundTrips() {
        for text in ["", "hello, world", "naïve café 日本語 🦙👩‍👩‍👧", "\0\n\t\u{7F}", String(repeating: "ab", count: 500)] {
            let ids = tokenizer.encode(text)
            XCTAssertEqual(ids.count, text.utf8.count)
            XCTAssertEqual(tokenizer.decode(ids), text)
            XCTAssertEqual(tokenizer.decode(ids, showSpecial: true), text)
        }
        XCTAssertEqual(tokenizer.encode("é"), [0xC3, 0xA9])
        XCTAssertEqual(tokenizer.encode(""), [])
    }

    /// Text spelling a special token encodes as plain bytes.
    func testEncodeNeverEmitsSpecials() {
        let text = "<|eos|><|bos|><|user|><|assistant|><|system|><|pad|>"
        let ids = tokenizer.encode(text)
        XCTAssertTrue(ids.allSatisfy { (0..<256).contains($0) })
        XCTAssertEqual(tokenizer.decode(ids), text)
    }

    /// Specials are dropped from decoded text unless showSpecial.
    func testSpecialsShownOnlyOnRequest() {
        let s = tokenizer.special
        let user: [Int32] = [s.bos, s.user], assistant: [Int32] = [s.assistant], end: [Int32] = [s.eos, s.pad]
        let ids = user + tokenizer.encode("hi") + assistant + tokenizer.encode("yo") + end
        XCTAssertEqual(tokenizer.decode(ids), "hiyo")
        XCTAssertEqual(tokenizer.decode(ids, showSpecial: true), "<|bos|><|user|>hi<|assistant|>yo<|eos|><|pad|>")
    }

    /// Invalid UTF-8 and unknown ids decode to U+FFFD.
    func testInvalidBytesAndIdsDecodeLossily() {
        XCTAssertEqual(tokenizer.decode([0x61, 0xFF, 0x62]), "a\u{FFFD}b")
        XCTAssertEqual(tokenizer.decode([0xE6, 0x97]), "\u{FFFD}")
        XCTAssertEqual(tokenizer.decode([0x61, 999, -1, 0x62]), "a\u{FFFD}\u{FFFD}b")
        XCTAssertEqual(tokenizer.decode([0xC3, tokenizer.special.eos, 0xA9], showSpecial: true), "\u{FFFD}<|eos|>\u{FFFD}")
    }

    /// With allowSpecial, spelled specials become their ids; offsets give each token's bytes.
    func testAllowSpecialAndOffsets() {
        let text = "a<|eos|>é<|nope|>"
        XCTAssertEqual(tokenizer.encode(text, allowSpecial: false), tokenizer.encode(text))
        let encoded = tokenizer.encodeWithOffsets(text, allowSpecial: true)
        XCTAssertEqual(encoded.ids, [97, 257, 0xC3, 0xA9] + tokenizer.encode("<|nope|>"))
        XCTAssertEqual(encoded.offsets.prefix(4), [0..<1, 1..<8, 8..<9, 9..<10])
        XCTAssertEqual(tokenizer.encode(text, allowSpecial: true), encoded.ids)
        XCTAssertEqual(tokenizer.tokenString(32), "Ġ")
        XCTAssertEqual(tokenizer.tokenString(261), "<|assistant|>")
        XCTAssertNil(tokenizer.tokenString(262))
        XCTAssertTrue(tokenizer.special.hasRoleMarkers)
    }
}
