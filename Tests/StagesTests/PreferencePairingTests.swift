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
}
