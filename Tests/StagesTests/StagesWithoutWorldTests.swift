import EngineCore
import Foundation
import Model
import World
import XCTest
@testable import Stages
@testable import Training
import TestSupport

/// Stages on natural-language prompts with no world: preferences labelled by a command judge, a reward model
/// compared with human labels, and the world judge refusing prompts that are not the world's.
final class StagesWithoutWorldTests: XCTestCase {
    private let prompts = """
    {"prompt": "What is the capital of Norway?"}
    {"prompt": [{"role": "user", "content": "Name a colour of the sky."}]}
    {"prompt": "How do I keep basil alive?"}
    """

    func testPreferencesSampledFromAPolicyAndLabelledByACommandJudge() throws {
        let h = try StageHarness()
        let inputs = try PPOTestFixtures.writeInputs(in: h.root, promptCount: 2)
        let prompts = try h.file("prompts.jsonl", self.prompts)
        let metrics = MetricsSink()
        let out = try h.run(PreferencesKind(), inputs: ["policy": inputs["sft"]!, "prompts": prompts],
                            params: ["k": .int(8), "temperatures": .array([.double(1.5)]), "max_new_tokens": .int(3),
                                     "judge_cmd": .string(JudgeTests.alwaysA), "judge_batch_size": .int(4)],
                            metrics: metrics)
        let pairs = try RecordReader().preferences(from: out["data"]!)
        XCTAssertFalse(pairs.isEmpty)
        XCTAssertTrue(pairs.allSatisfy { $0.source == "command" && $0.reason == "A comes first" }, "the judge's reason on every line")
        XCTAssertTrue(pairs.allSatisfy { $0.chosen != $0.rejected })
        XCTAssertEqual(Set(pairs.map(\.prompt)).isSubset(of: ["What is the capital of Norway?", "Name a colour of the sky.",
                                                               "How do I keep basil alive?"]), true)
        XCTAssertEqual(metrics.recorded.first { $0.name == "judge/command/position_bias" }?.value, 1, "an always-A judge")
    }

    func testRewardModelAgreesWithLabelsAndReportsNoGoldWithoutTheWorld() throws {
        let h = try StageHarness()
        let inputs = try PPOTestFixtures.writeInputs(in: h.root, promptCount: 2)
        var lines: [String] = []
        for i in 0..<24 {
            lines.append(#"{"prompt": "Question \#(i)?", "chosen": "A careful answer \#(i).", "rejected": "no", "score_chosen": 9, "score_rejected": 3}"#)
        }
        let data = try h.file("prefs.jsonl", lines.joined(separator: "\n") + "\n")
        let labels = try h.file("labels.jsonl", """
        {"prompt": "Question 1?", "response_a": "no", "response_b": "A careful answer 1.", "winner": "b", "reason": "complete"}
        {"prompt": "Question 2?", "response_a": "A careful answer 2.", "response_b": "no", "winner": "a"}
        """)
        let out = try h.run(RewardModelKind(), inputs: ["backbone": inputs["sft"]!, "data": data, "labels": labels],
                            params: ["steps": .int(3), "batch_size": .int(4), "heldout_fraction": .double(0.5), "data_margin": .double(0.5)])
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out["report"]!)) as? [String: Any])
        XCTAssertNil(report["gold_agreement"], "no gold without a world judge")
        let labelled = try XCTUnwrap((report["judge_agreement"] as? [String: Any])?["labels"] as? [String: Any])
        XCTAssertEqual(labelled["pairs"] as? Int, 2)
        XCTAssertEqual(report["data_margin"] as? Double, 0.5)

        XCTAssertThrowsError(try h.run(RewardModelKind(), node: "rm2", inputs: ["backbone": inputs["sft"]!, "data": data, "world": data],
                                       params: ["steps": .int(1), "batch_size": .int(4), "heldout_fraction": .double(0.5)])) { error in
            XCTAssertTrue("\(error)".contains("needs input 'fresh_prompts'"), "\(error)")
        }
    }

    func testWorldJudgeScoresOnlyWorldPrompts() {
        let completions = [Completion(prompt: "What is the capital of France?", text: "Paris.", reachedEOS: true, tokenCount: 7, temperature: 0)]
        XCTAssertThrowsError(try WorldJudge.goldReport(completions, node: "sft")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("the world judge scores only the world's prompts") && text.contains("remove the 'world' input"), text)
        }
    }
}
