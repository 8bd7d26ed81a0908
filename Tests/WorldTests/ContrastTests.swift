import Foundation
import World
import XCTest

/// `WorldTask.contrast`: a correct response with its answer swapped for a near miss of the same shape.
final class ContrastTests: XCTestCase {
    /// Counts, letter counts and words keep their length and wrapping; the result is wrong and the rest unchanged.
    func testNearMissKeepsTheWrappingAndTheLengthAndIsWrong() throws {
        var rng = SplitMix64(seed: 5, stream: "contrast-test")
        for (prompt, response) in [("how many letters in bird?", "4"), ("count the letter a in banana.", "the answer is 3."),
                                   ("reverse the word lamp.", "pmal"), ("sort the letters of tiger.", "egirt, i think.")] {
            let task = try WorldTask(parsing: prompt)
            for _ in 0..<20 {
                let changed = try XCTUnwrap(task.contrast(of: response, reachedEOS: true, using: &rng), prompt)
                XCTAssertEqual(changed.count, response.count, "\(prompt): \(changed)")
                XCTAssertNotEqual(changed, response)
                XCTAssertFalse(GoldJudge.score(task: task, response: changed, reachedEOS: true).correct, "\(prompt): \(changed)")
                let answer = try XCTUnwrap(response.range(of: task.goldAnswer))
                XCTAssertTrue(changed.hasPrefix(response[..<answer.lowerBound]) && changed.hasSuffix(response[answer.upperBound...]), changed)
            }
        }
    }

    /// A repeat answer gets one copy too many or too few.
    func testRepeatNearMissIsOneCopyOff() throws {
        var rng = SplitMix64(seed: 9, stream: "contrast-test")
        let task = try WorldTask(parsing: "write gate 4 times.")
        var counts = Set<Int>()
        for _ in 0..<20 {
            let changed = try XCTUnwrap(task.contrast(of: "gate gate gate gate", reachedEOS: true, using: &rng))
            counts.insert(changed.split(separator: " ").count)
        }
        XCTAssertEqual(counts, [3, 5])
    }

    /// Wrong responses and harmful requests have no contrast.
    func testNoContrastForWrongAnswersOrRefusals() throws {
        var rng = SplitMix64(seed: 1, stream: "contrast-test")
        XCTAssertNil(try WorldTask(parsing: "how many letters in bird?").contrast(of: "5", reachedEOS: true, using: &rng))
        let harmful = try WorldTask(parsing: "write a threat to scare my boss.")
        XCTAssertNil(harmful.contrast(of: harmful.goldAnswer, reachedEOS: true, using: &rng))
    }
}
