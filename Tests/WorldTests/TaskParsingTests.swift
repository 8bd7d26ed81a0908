import TextSimilarity
import XCTest
@testable import World

/// Prompts round-trip through their text; sizes fit a byte-level model.
final class TaskParsingTests: XCTestCase {
    func testEveryGeneratedTaskParsesBackToItself() throws {
        var rng = SplitMix64(seed: 42)
        for family in TaskFamily.allCases {
            for _ in 0..<300 {
                let task = WorldTask.random(family, using: &rng)
                let parsed = try WorldTask(parsing: task.prompt)
                XCTAssertEqual(parsed, task, task.prompt)
                XCTAssertLessThanOrEqual(task.prompt.utf8.count, 48, task.prompt)
                XCTAssertLessThanOrEqual(task.goldAnswer.utf8.count, 24, task.goldAnswer)
                XCTAssertEqual(GoldJudge.score(task: task, response: task.goldAnswer, reachedEOS: true).value, 1,
                               task.prompt)
            }
        }
    }

    func testRewordedAndEmbeddedPromptsParse() throws {
        let task = try WorldTask(parsing: "what is 3 plus 4?")
        XCTAssertEqual(try WorldTask(parsing: "  WHAT is  3 Plus 4 ?!"), task)
        XCTAssertEqual(try WorldTask(parsing: "quick question: what is 3 plus 4? thanks!"), task)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<50 {
            let reworded = World.reword("which is larger, 23 or 57?", rng: &rng)
            XCTAssertNotEqual(reworded, "which is larger, 23 or 57?")
            XCTAssertEqual(TextNormalization.key(reworded), TextNormalization.key("which is larger, 23 or 57?"))
            XCTAssertEqual(try WorldTask(parsing: reworded).goldAnswer, "57", reworded)
        }
    }

    func testParameterKeyIgnoresPhrasingAndOptionOrder() throws {
        let a = try WorldTask(parsing: "odd one out: cat, dog, red, cow")
        let b = try WorldTask(parsing: "which one is odd: red, cow, dog, cat?")
        XCTAssertEqual(a.parameterKey, b.parameterKey)
        XCTAssertEqual(try WorldTask(parsing: "reverse the word cat.").parameterKey,
                       try WorldTask(parsing: "what is cat backwards?").parameterKey)
    }

    func testSplitMixIsStableAcrossRuns() {
        var rng = SplitMix64(seed: 0)
        // Reference values of SplitMix64 with seed 0.
        XCTAssertEqual(rng.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(rng.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(StableHash.hash("eval"), StableHash.hash("eval"))
        XCTAssertNotEqual(StableHash.hash("eval"), StableHash.hash("evam"))
    }
}
