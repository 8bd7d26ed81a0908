import EngineCore
import Foundation
import Model
import World
import XCTest
@testable import Stages
import Training
import TestSupport

/// Data that used to crash a stage gives an error naming the file (and line): an SFT file with one
/// demonstration, and a preference pair longer than the reward model's context.
final class SmallAndLongDataTests: XCTestCase {
    func testSFTWithASingleDemonstrationIsAClearError() throws {
        let harness = try StageHarness()
        let root = harness.root
        let inputs = try PPOTestFixtures.writeInputs(in: root, promptCount: 2)
        let data = try harness.file("sft_train.jsonl", #"{"prompt": "what is 1 plus 2?", "response": "3"}"# + "\n")
        XCTAssertThrowsError(try harness.run(SFTKind(), inputs: ["base": inputs["sft"]!, "data": data, "eval_prompts": inputs["prompts"]!],
                                             params: ["steps": .int(2), "batch_size": .int(2)])) { error in
            guard case let .badInput(path, message)? = error as? StagesError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "sft_train.jsonl", "named relative to the workspace")
            XCTAssertTrue(message.contains("has 1 demonstration; SFT needs at least 2"), message)
        }
        // Every demonstration hashed into validation leaves nothing to train on: also an error, not a trap.
        let records = [(line: 1, example: SFTExample(prompt: "a", response: "b")), (line: 2, example: SFTExample(prompt: "c", response: "d"))]
        XCTAssertThrowsError(try SFTData(records, renderer: ChatRenderer(tokenizer: ByteTokenizer()), validationFraction: 1.01,
                                         maxLength: 64, file: "sft.jsonl")) { error in
            XCTAssertTrue("\(error)".contains("sft.jsonl: all 2 demonstrations fall in the validation split"), "\(error)")
        }
    }

    func testTooLongPreferencePairNamesItsFileAndLineAcrossBlankLines() throws {
        let harness = try StageHarness()
        let pair = #"{"prompt": "p", "chosen": "short", "rejected": "also short"}"#
        let long = #"{"prompt": "p", "chosen": "ok", "rejected": "\#(String(repeating: "x", count: 300))"}"#
        let url = try harness.file("pref.jsonl", [pair, "", long, pair].joined(separator: "\n") + "\n")
        let numbered = try RecordReader().numberedPreferences(from: url)
        XCTAssertEqual(numbered.map(\.line), [1, 3, 4], "blank lines are skipped but counted")
        let trainer = RewardTrainer(model: try LlamaModel(config: PPOTestFixtures.config.withScalarHead(), seed: 1),
                                    tokenizer: ByteTokenizer(), schedule: nil)
        XCTAssertThrowsError(try RewardModelKind.checkLengths(numbered, trainer: trainer, limit: 256, file: url.path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(url.path): line 3: prompt and rejected take "), "\(error)")
            XCTAssertTrue("\(error)".contains("over the model's 256"), "\(error)")
        }
        XCTAssertNoThrow(try RewardModelKind.checkLengths(Array(numbered.prefix(1)), trainer: trainer, limit: 256, file: url.path))
    }
}
