import Engine
import EngineCore
import Foundation
@testable import Stages
@testable import TextSimilarity
import XCTest

/// `gate.dedup`: exact duplicates after normalisation, MinHash-LSH near-duplicates, chosen == rejected.
final class GateDedupTests: XCTestCase {
    /// A 40-word sentence whose last word is `last`.
    private func long(_ last: String) -> String {
        (0..<39).map { "word\($0)" }.joined(separator: " ") + " " + last
    }

    func testCleanSetPasses() throws {
        let harness = try GateHarness()
        try harness.write("d/prompts.jsonl", lines: ["alpha beta gamma", "delta epsilon zeta", "what is 3 plus 4", "what is 3 plus 5"]
            .map { #"{"prompt": "\#($0)"}"# })
        let result = try harness.run(DedupGate(), inputs: ["prompts": "d/prompts.jsonl"])
        XCTAssertEqual(result.report.status, .pass, result.report.message)
        XCTAssertEqual(result.report.figures["prompts.exact_duplicates"], 0)
    }

    func testExactNearAndIdenticalPairsAreFound() throws {
        let harness = try GateHarness()
        try harness.write("d/prompts.jsonl", lines: [
            #"{"prompt": "Hello, World!"}"#, #"{"prompt": "something else"}"#, #"{"prompt": "  hello   WORLD"}"#,
            #"{"prompt": "\#(long("end"))"}"#, #"{"prompt": "\#(long("finish"))"}"#,
            #"{"prompt": "ｆｕｌｌ width"}"#, #"{"prompt": "full width."}"#,
        ])
        try harness.write("d/pref.jsonl", lines: [#"{"prompt": "p", "chosen": "Same answer.", "rejected": " Same answer.\n"}"#,
                                                  #"{"prompt": "q", "chosen": "Seven.", "rejected": "seven"}"#,
                                                  #"{"prompt": "p", "chosen": "good", "rejected": "bad"}"#])
        let result = try harness.run(DedupGate(), inputs: ["prompts": "d/prompts.jsonl", "preferences": "d/pref.jsonl"])
        XCTAssertEqual(result.report.status, .fail)
        let exact = result.findings("exact_duplicate")
        XCTAssertEqual(exact.map(\.line), [3, 7])
        XCTAssertEqual(exact.map { $0.related?.line }, [1, 6])
        let near = result.findings("near_duplicate")
        XCTAssertEqual(near.map(\.line), [5])
        XCTAssertEqual(near.first?.related, GateLocation(file: "d/prompts.jsonl", line: 4))
        XCTAssertEqual(near.first?.file, "d/prompts.jsonl")
        let identical = result.findings("chosen_equals_rejected")
        XCTAssertEqual(identical.map(\.line), [1])
        XCTAssertEqual(identical.first?.file, "d/pref.jsonl")
    }

    func testLookAlikeAndInvisibleCharactersAreExactDuplicates() throws {
        let harness = try GateHarness()
        try harness.write("d/prompts.jsonl", lines: ["{\"prompt\": \"What is the capital of Peru?\"}",
                                                     "{\"prompt\": \"Wh\u{0430}t is the c\u{0430}pital \u{03BF}f Peru?\"}",
                                                     "{\"prompt\": \"What is the cap\u{200B}ital of Pe\u{00A0}ru?\"}",
                                                     "{\"prompt\": \"What is the capital of Chile?\"}"])
        let result = try harness.run(DedupGate(), inputs: ["prompts": "d/prompts.jsonl"], params: ["max_exact_fraction": .double(0.25)])
        XCTAssertEqual(result.findings("exact_duplicate").map(\.line), [2, 3])
        XCTAssertEqual(result.findings("exact_duplicate").map { $0.related?.line }, [1, 1])
        XCTAssertEqual(result.report.status, .fail, "2 of 4 exceed the tolerated 25%")
    }

    func testCharacterShinglesFindNearDuplicates() throws {
        let harness = try GateHarness()
        try harness.write("d/prompts.jsonl", lines: [#"{"prompt": "the quick brown fox jumps over the lazy dog"}"#,
                                                     #"{"prompt": "the quick brown fox jumps over the lazy dogs"}"#])
        let result = try harness.run(DedupGate(), inputs: ["prompts": "d/prompts.jsonl"],
                                     params: ["shingle": .string("char"), "near_threshold": .double(0.85)])
        XCTAssertEqual(result.findings("near_duplicate").map(\.line), [2])
    }

    func testThresholdsAtTheirBoundary() throws {
        let harness = try GateHarness()
        try harness.write("d/prompts.jsonl", lines: [#"{"prompt": "\#(long("end"))"}"#, #"{"prompt": "\#(long("finish"))"}"#,
                                                     #"{"prompt": "x y z"}"#, #"{"prompt": "X, y z!"}"#])
        let a = GateText.wordShingles(GateText.words(TextNormalization.key(long("end"))), n: 3)
        let b = GateText.wordShingles(GateText.words(TextNormalization.key(long("finish"))), n: 3)
        let similarity = GateText.jaccard(a, b)
        let at = try harness.run(DedupGate(), inputs: ["prompts": "d/prompts.jsonl"],
                                 params: ["near_threshold": .double(similarity), "max_near_fraction": .double(0.25), "max_exact_fraction": .double(0.25)])
        XCTAssertEqual(at.findings("near_duplicate").count, 1)
        XCTAssertEqual(at.report.status, .warn)
        let above = try harness.run(DedupGate(), inputs: ["prompts": "d/prompts.jsonl"],
                                    params: ["near_threshold": .double(similarity + 0.001), "max_exact_fraction": .double(0.24)])
        XCTAssertEqual(above.findings("near_duplicate").count, 0)
        XCTAssertEqual(above.report.status, .fail)
    }
}
