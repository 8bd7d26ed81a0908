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

    /// A pairing at annotator temperature 0 without label flips, with a contrast share.
    private func pairing(contrast: Double) throws -> PreferencePairing {
        var config = AnnotatorConfig()
        config.labelFlipRate = 0
        config.temperature = 0
        var pairing = PreferencePairing(annotator: try Annotator(config: config), mode: .allPairs, skipTies: true,
                                        tieThreshold: 0.2, coin: SplitMix64(seed: 3, stream: "test"))
        pairing.contrast = contrast
        return pairing
    }

    /// With a contrast share of 1 every prompt with a correct sample gets one more pair: that sample chosen over
    /// the same text with a wrong count of the same length; sampled pairs are those of a pairing without contrast.
    func testContrastPairSetsTheRightCountAgainstAWrongOneOfTheSameLength() throws {
        let prompt = "how many letters in bird?"
        let candidates = ["4", "the answer is 4.", "ok"].map {
            Completion(prompt: prompt, text: $0, reachedEOS: true, tokenCount: $0.utf8.count + 1, temperature: 1)
        }
        var plain = try pairing(contrast: 0), contrasted = try pairing(contrast: 1)
        let sampled = try plain.pairs(prompt: prompt, candidates: candidates)
        let records = try contrasted.pairs(prompt: prompt, candidates: candidates)
        XCTAssertEqual(Array(records.dropLast()), sampled)
        let contrast = try XCTUnwrap(records.last)
        XCTAssertTrue(contrast.source?.contains("contrast") == true, "\(contrast)")
        XCTAssertEqual(contrast.chosen, "4")
        XCTAssertEqual(contrast.rejected.count, 1)
        XCTAssertNotEqual(contrast.rejected, "4")
    }

    /// No correct sample, no contrast pair.
    func testNoContrastPairWithoutACorrectSample() throws {
        let prompt = "how many letters in bird?"
        let candidates = ["5", "7"].map { Completion(prompt: prompt, text: $0, reachedEOS: true, tokenCount: 2, temperature: 1) }
        var contrasted = try pairing(contrast: 1)
        let records = try contrasted.pairs(prompt: prompt, candidates: candidates)
        XCTAssertFalse(records.contains { $0.source?.contains("contrast") == true })
    }
}
