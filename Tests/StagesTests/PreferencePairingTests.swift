@testable import Stages
@testable import Training
import World
import XCTest

/// `PreferencePairing`: candidates a preference file cannot hold never reach a pair.
final class PreferencePairingTests: XCTestCase {
    private func completion(_ text: String) -> Completion {
        Completion(prompt: "reverse the word cat.", text: text, reachedEOS: true, tokenCount: text.utf8.count + 1, temperature: 1)
    }

    func testBlankAndControlCharacterCandidatesAreDropped() throws {
        var config = AnnotatorConfig()
        config.labelFlipRate = 0
        var pairing = PreferencePairing(annotator: try Annotator(config: config), mode: .allPairs, skipTies: true,
                                        tieThreshold: 0.2, coin: SplitMix64(seed: 3, stream: "test"))
        let candidates = ["tac", "", "  ", "ta\u{7}c", "dog"].map(completion)
        let records = try pairing.pairs(prompt: "reverse the word cat.", candidates: candidates)
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(records.first?.chosen, "tac")
        XCTAssertEqual(records.first?.rejected, "dog")
    }

    /// Seed 33 of the default experiment: two samples differing only in a trailing newline became one pair,
    /// which `gate.dedup` counts as chosen == rejected. Ties are kept here so that only the dedup can drop it.
    func testCandidatesDifferingOnlyInSurroundingWhitespaceNeverFormAPair() throws {
        var config = AnnotatorConfig()
        config.labelFlipRate = 0
        var pairing = PreferencePairing(annotator: try Annotator(config: config), mode: .allPairs, skipTies: false,
                                        tieThreshold: 0, coin: SplitMix64(seed: 3, stream: "test"))
        let candidates = ["tac", "tac\n", " tac ", "dog", "dog\t"].map(completion)
        let records = try pairing.pairs(prompt: "reverse the word cat.", candidates: candidates)
        XCTAssertEqual(records.count, 1)
        for record in records {
            XCTAssertNotEqual(DedupGate.responseKey(record.chosen), DedupGate.responseKey(record.rejected), "\(record)")
        }
        XCTAssertEqual(Set(records.flatMap { [$0.chosen, $0.rejected] }), ["tac", "dog"])
    }

    /// The judged path (a wired judge labels all pairs) dedups by the same key.
    func testJudgePairsSkipWhitespaceVariants() {
        let pairs = JudgePair.all(prompt: PromptRecord(prompt: "reverse the word cat."), candidates: ["tac", "tac\n", "dog"].map(completion), idPrefix: "p1")
        XCTAssertEqual(pairs.map { [$0.a.text, $0.b.text] }, [["tac", "dog"]])
    }
}
