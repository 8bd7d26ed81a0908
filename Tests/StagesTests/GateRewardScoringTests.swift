import Engine
import EngineCore
import Foundation
import Model
@testable import Stages
import XCTest

/// `gate.length_bias` mode reward_model falls back to scoring held-out pairs with the RM checkpoint.
final class GateRewardScoringTests: XCTestCase {
    /// Saves a tiny random scalar-head model with the byte tokenizer under `path` of `harness`.
    private func saveTinyRewardModel(_ harness: GateHarness, path: String) throws -> LlamaModel {
        let config = LlamaConfig(hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 1, numAttentionHeads: 2,
                                 numKeyValueHeads: 2, maxPositionEmbeddings: 128).withScalarHead()
        let model = try LlamaModel(config: config, seed: 3)
        try Checkpoint.save(model, tokenizer: ByteTokenizer(), to: harness.root.appendingPathComponent(path))
        return model
    }

    func testBatchedScoresEqualOneByOneScores() throws {
        let harness = try GateHarness()
        _ = try saveTinyRewardModel(harness, path: "models/rm")
        let scorer = try RewardScorer(checkpoint: harness.root.appendingPathComponent("models/rm"))
        let records = (0..<5).map { i in
            GateRecord(line: i + 1, fields: [("prompt", "what is \(i) plus \(i)?"), ("chosen", String(repeating: "a", count: i + 1)),
                                             ("rejected", String(repeating: "b", count: 9 - i))])
        }
        let batched = try scorer.score(records)
        let single = try records.map { try scorer.score([$0])[0] }
        XCTAssertEqual(batched.count, 5)
        for (a, b) in zip(batched, single) {
            XCTAssertEqual(a.chosen, b.chosen, accuracy: 1e-4)
            XCTAssertEqual(a.rejected, b.rejected, accuracy: 1e-4)
        }
        XCTAssertNotEqual(batched[0].chosen, batched[4].chosen, "different texts get different rewards")
    }

    func testGateScoresPairsWhenTheEvalArtifactLacksTheFigures() throws {
        let harness = try GateHarness()
        _ = try saveTinyRewardModel(harness, path: "models/rm")
        try harness.write("reports/rm_eval.json", data: Data(#"{"heldout": {"accuracy": 0.8}}"#.utf8))
        try harness.write("data/pairs.jsonl", lines: (0..<6).map { i in
            #"{"prompt": "p\#(i)", "chosen": "\#(String(repeating: "x", count: 10 + i))", "rejected": "\#(String(repeating: "y", count: 10))"}"#
        })
        let result = try harness.run(LengthBiasGate(), inputs: ["rm_eval": "reports/rm_eval.json", "reward_model": "models/rm", "pairs": "data/pairs.jsonl"],
                                     params: ["mode": .string("reward_model"), "min_balanced_accuracy": .double(0)])
        let spearman = try XCTUnwrap(result.report.figures["spearman_reward_length"])
        XCTAssertTrue((-1...1).contains(spearman))
        XCTAssertEqual(result.report.figures["length_balanced_pairs"], 2, "10 vs 10 and 11 vs 10 are within 10%")
        XCTAssertNotNil(result.report.figures["length_balanced_accuracy"])
        XCTAssertEqual(result.report.status, abs(spearman) > 0.5 ? .fail : .pass)
    }
}
