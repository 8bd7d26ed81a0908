import Foundation
import Model
import XCTest
@testable import Stages
@testable import Training
import TestSupport

/// `rlhf model score`'s scorer on a tiny reward model: the scores the trainer computes, pairs files, errors with file and line.
final class ModelScoreTests: XCTestCase {
    private var root: URL!
    private var checkpoint: URL!

    override func setUpWithError() throws {
        root = try PPOTestFixtures.temporaryDirectory()
        checkpoint = try PPOTestFixtures.writeInputs(in: root, promptCount: 1)["reward_model"]!
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func write(_ lines: [String]) throws -> URL {
        let url = root.appendingPathComponent("pairs.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testScoresEqualTheRewardTrainersScores() throws {
        let scorer = try RewardModelScoring(checkpoint: checkpoint)
        let results = try scorer.score([RewardModelScoring.Item(prompt: "reverse abc", responses: ["cba"]),
                                        RewardModelScoring.Item(prompt: "add 2 3", responses: ["5", "six"])])
        let (model, tokenizer) = try Checkpoint.load(from: checkpoint)
        let reference = try RewardTrainer(model: model, tokenizer: tokenizer, schedule: nil)
            .scores([("reverse abc", "cba"), ("add 2 3", "5"), ("add 2 3", "six")])
        XCTAssertEqual(try XCTUnwrap(results[0].score), reference[0], accuracy: 1e-6)
        XCTAssertNil(results[0].margin)
        XCTAssertEqual(try XCTUnwrap(results[1].chosenScore), reference[1], accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(results[1].rejectedScore), reference[2], accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(results[1].margin), reference[1] - reference[2], accuracy: 1e-9)
        XCTAssertNotEqual(reference[1], reference[2], "a random head still tells two responses apart")
    }

    func testPairsFileReadsStringsAndMessageListsWithLineNumbers() throws {
        let url = try write([
            #"{"prompt": "reverse abc", "response": "cba"}"#,
            "",
            #"{"prompt": [{"role": "user", "content": "add 2 3"}], "chosen": [{"role": "assistant", "content": "5"}], "rejected": "six"}"#,
            #"{"prompt": "add 1 1", "completion": "2"}"#,
        ])
        let items = try RewardModelScoring.items(at: url, file: "pairs.jsonl")
        XCTAssertEqual(items.map(\.line), [1, 3, 4])
        XCTAssertEqual(items[1].responses.count, 2)
        let results = try RewardModelScoring(checkpoint: checkpoint).score(items, file: "pairs.jsonl")
        XCTAssertEqual(results.map(\.line), [1, 3, 4])
        XCTAssertEqual(results[1].prompt, "add 2 3")
        let same = try RewardModelScoring(checkpoint: checkpoint).score([RewardModelScoring.Item(prompt: "add 2 3", responses: ["5", "six"])])
        XCTAssertEqual(try XCTUnwrap(results[1].margin), try XCTUnwrap(same[0].margin), accuracy: 1e-9, "message lists encode as the plain strings do")
        let json = String(decoding: try JSONEncoder().encode(results[1]), as: UTF8.self)
        XCTAssertTrue(json.contains("\"chosen_score\"") && json.contains("\"line\":3"), json)
    }

    func testMessagesLinesAndImplicitPromptPairsAreItemsToo() throws {
        let url = try write([
            #"{"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "add 2 2"}, {"role": "assistant", "content": "4"}]}"#,
            #"{"chosen": [{"role": "user", "content": "add 1 2"}, {"role": "assistant", "content": "3"}], "rejected": [{"role": "user", "content": "add 1 2"}, {"role": "assistant", "content": "4"}]}"#,
        ])
        let items = try RewardModelScoring.items(at: url, file: "pairs.jsonl")
        XCTAssertEqual(items[0].prompt, [ChatMessage(role: "system", content: "be brief"), ChatMessage(role: "user", content: "add 2 2")],
                       "a conversation splits after its last user message")
        XCTAssertEqual(items[0].responses, [[ChatMessage(role: "assistant", content: "4")]])
        XCTAssertEqual(items[1].prompt, [ChatMessage(role: "user", content: "add 1 2")], "the prompt chosen and rejected share")
        XCTAssertEqual(items[1].responses, [[ChatMessage(role: "assistant", content: "3")], [ChatMessage(role: "assistant", content: "4")]])
    }

    func testBadLinesNameTheFileAndLine() throws {
        for (line, fragment) in [(#"{"prompt": "p"}"#, "pairs.jsonl:2: response: missing required field"),
                                 (#"{"response": "r"}"#, "pairs.jsonl:2: prompt: missing required field"),
                                 (#"{"prompt": "p", "chosen": "a"}"#, "pairs.jsonl:2: rejected: missing required field"),
                                 (#"{"prompt": 3, "response": "r"}"#, "pairs.jsonl:2: prompt: expected a string or a list of messages"),
                                 (#"{"prompt": "p", "response": [{"role": "assistant"}]}"#, "pairs.jsonl:2: response[0].content: missing"),
                                 ("not json", "pairs.jsonl:2: not valid JSON"), ("[1]", "pairs.jsonl:2: expected a JSON object"),
                                 (#"{"text": "t"}"#, "pairs.jsonl:2: has no prompt to score")] {
            let url = try write([#"{"prompt": "ok", "response": "fine"}"#, line])
            XCTAssertThrowsError(try RewardModelScoring.items(at: url, file: "pairs.jsonl"), line) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error) lacks \(fragment)")
            }
        }
        let long = try write([#"{"prompt": "p", "response": "\#(String(repeating: "x", count: 400))"}"#])
        XCTAssertThrowsError(try RewardModelScoring(checkpoint: checkpoint).score(try RewardModelScoring.items(at: long, file: "long.jsonl"), file: "long.jsonl")) {
            XCTAssertTrue("\($0)".contains("long.jsonl:1: is 4") && "\($0)".contains("context of 256"), "\($0)")
        }
    }

    func testSummaryCountsPairsRankedRightAndItsJSONKeys() throws {
        let results = [RewardModelScoring.Result(line: 1, prompt: "a", score: 0.5),
                       RewardModelScoring.Result(line: 2, prompt: "b", chosenScore: 1, rejectedScore: 0.25, margin: 0.75),
                       RewardModelScoring.Result(line: 3, prompt: "c", chosenScore: 0, rejectedScore: 0.5, margin: -0.5)]
        let summary = RewardModelScoring.Summary(results)
        XCTAssertEqual(summary.items, 3)
        XCTAssertEqual(summary.pairs, 2)
        XCTAssertEqual(summary.accuracy, 0.5)
        XCTAssertEqual(summary.meanMargin, 0.125)
        XCTAssertEqual(summary.meanScore, 0.5)
        XCTAssertEqual(summary.line, "3 items; mean score 0.5000; 2 pairs: chosen above rejected 50.0%, mean margin 0.1250")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        XCTAssertEqual(String(decoding: try encoder.encode(summary), as: UTF8.self),
                       #"{"accuracy":0.5,"items":3,"mean_margin":0.125,"mean_score":0.5,"pairs":2}"#)
        XCTAssertNil(RewardModelScoring.Summary(Array(results.prefix(1))).accuracy, "no pairs, no accuracy")
    }

    func testACausalLMIsNotAcceptedAsARewardModel() throws {
        let sft = root.appendingPathComponent("inputs/sft")
        XCTAssertThrowsError(try RewardModelScoring(checkpoint: sft)) { XCTAssertTrue("\($0)".contains("is not a reward model"), "\($0)") }
    }
}
