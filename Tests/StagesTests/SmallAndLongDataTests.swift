import EngineCore
import Foundation
import Model
import World
import XCTest
@testable import Stages
import Training

/// Data that used to crash a stage gives an error naming the file (and line): an SFT file with one
/// demonstration, and a preference pair longer than the reward model's context.
final class SmallAndLongDataTests: XCTestCase {
    func testSFTWithASingleDemonstrationTrainsAndValidatesOnIt() throws {
        let harness = try StageHarness()
        let inputs = try PPOTestFixtures.writeInputs(in: harness.root, promptCount: 2)
        let data = try harness.file("sft_train.jsonl", #"{"prompt": "what is 1 plus 2?", "response": "3"}"# + "\n")
        let outputs = try harness.run(SFTKind(), inputs: ["base": inputs["sft"]!, "data": data, "eval_prompts": inputs["prompts"]!],
                                      params: ["steps": .int(2), "batch_size": .int(2), "max_new_tokens": .int(4)])
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: outputs["report"]!)) as? [String: Any]
        XCTAssertEqual(report?["train_examples"] as? Int, 1)
        XCTAssertEqual(report?["validation_examples"] as? Int, 1, "the only demonstration is also the validation set")
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
