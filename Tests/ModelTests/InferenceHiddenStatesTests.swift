import XCTest
@testable import Kernels
@testable import Model

/// Inference-only hidden states (what PPO's reward-model and reference passes read), and one bf16 weight snapshot
/// shared by the calls of a scoring pass (`withPinnedInferenceWeights`).
final class InferenceHiddenStatesTests: XCTestCase {
    func testLogProbsWithHiddenRowsEqualTheSeparateCallsInFP32() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 31)
        let batch = try TestModels.batch()
        let rows = [1, 3, 4, 8]
        let both = try model.nextTokenLogProbs(batch, temperature: 0.8, hiddenRows: rows)
        XCTAssertEqual(both.logProbs, try model.nextTokenLogProbs(batch, temperature: 0.8))
        XCTAssertEqual(both.hidden, try model.finalHiddenStates(batch, rows: rows))
        XCTAssertEqual(both.hidden.count, rows.count * TestModels.config.hiddenSize)
        XCTAssertEqual(try model.inferenceFinalHiddenStates(batch, rows: rows), both.hidden, "fp32 inference is the training forward")
    }

    func testPinnedBF16SnapshotGivesTheSameResultsAsPackingPerCall() throws {
        try XCTSkipUnless(BF16Matmul.isSupported, "this CPU has no AVX-512 BF16")
        let model = try LlamaModel(config: TestModels.config, seed: 32)
        let batch = try TestModels.batch()
        let rows = [0, 2, 7]
        let fp32 = try model.inferenceFinalHiddenStates(batch, rows: rows)
        model.inferencePrecision = .bf16
        let perCall = (try model.nextTokenLogProbs(batch, temperature: 1, hiddenRows: rows),
                       try model.inferenceFinalHiddenStates(batch, rows: rows))
        let pinned = try model.withPinnedInferenceWeights {
            XCTAssertNotNil(model.pinnedPackedWeights, "one snapshot for the calls inside")
            return (try model.nextTokenLogProbs(batch, temperature: 1, hiddenRows: rows),
                    try model.inferenceFinalHiddenStates(batch, rows: rows))
        }
        XCTAssertNil(model.pinnedPackedWeights, "the snapshot is dropped afterwards")
        XCTAssertEqual(pinned.0.logProbs, perCall.0.logProbs)
        XCTAssertEqual(pinned.0.hidden, perCall.0.hidden)
        XCTAssertEqual(pinned.1, perCall.1)
        XCTAssertNotEqual(pinned.1, fp32, "bf16 rounding shows")
        for (b, f) in zip(pinned.1, fp32) { XCTAssertEqual(b, f, accuracy: 0.1) }
        XCTAssertThrowsError(try model.backward(dHidden: [Float](repeating: 0, count: rows.count * TestModels.config.hiddenSize),
                                                rows: rows), "bf16 activations are not for backward")
    }
}
