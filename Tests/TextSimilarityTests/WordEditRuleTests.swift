@testable import TextSimilarity
import XCTest

/// `WordEditRule`: what one edit weighs and the budget that grows with the prompt.
final class WordEditRuleTests: XCTestCase {
    private let rule = WordEditRule()

    /// The weighted distance between two texts' normalised words (nil beyond `limit`).
    private func distance(_ a: String, _ b: String, limit: Double = 10) -> Double? {
        var ids: [Substring: Int32] = [:]
        func tokens(_ text: String) -> [EditToken] {
            GateText.words(TextNormalization.key(text)).map { word in
                let id = ids[word] ?? Int32(ids.count)
                ids[word] = id
                return EditToken(word, id: id)
            }
        }
        return rule.distance(tokens(a), tokens(b), limit: limit)
    }

    func testEachKindOfEditWeighsItsCost() throws {
        let base = "how should i store fresh basil so it lasts"
        XCTAssertEqual(distance(base, base), 0)
        XCTAssertEqual(try XCTUnwrap(distance(base, "how can i store fresh basil so it lasts")), rule.lightCost, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(distance("a small bakery", "a little bakery")), rule.variantCost, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(distance("your favourite colour", "your favorite color")), 2 * rule.variantCost, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(distance("say wing 3 times", "say wind 3 times")), rule.contentCost, accuracy: 1e-12,
                       "a one-letter change outside the spelling pairs is a content edit")
        XCTAssertEqual(try XCTUnwrap(distance("store fresh basil", "store fresh mint")), rule.contentCost, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(distance("what is 17 times 23", "what is 17 times 24")), rule.numberCost, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(distance("should i water it", "should i not water it")), rule.contentCost, accuracy: 1e-12,
                       "a negation is a content word")
        XCTAssertEqual(try XCTUnwrap(distance("name three colors", "name the three colors")), rule.lightCost, accuracy: 1e-12)
        XCTAssertNil(distance(base, "how could we keep fresh mint so it stays", limit: 1))
    }

    func testBudgetGrowsWithLength() {
        XCTAssertEqual(rule.budget(words: 3), rule.minimumBudget)
        XCTAssertEqual(rule.budget(words: 48), 2)
        XCTAssertGreaterThanOrEqual(rule.budget(words: 9), rule.lightCost, "one modal verb swapped in a 9-word prompt fits")
        XCTAssertLessThan(rule.budget(words: 23), rule.contentCost, "one content word swapped fits only from 24 words on")
        XCTAssertEqual(rule.budget(words: 24), rule.contentCost)
        XCTAssertEqual(rule.maxEdits(words: 9), 1)
        XCTAssertEqual(rule.maxEdits(words: 24), 5)
    }
}
