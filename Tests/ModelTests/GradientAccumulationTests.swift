import XCTest
@testable import Model

/// Micro-batch gradient accumulation equals the full batch; padding does not change real positions.
final class GradientAccumulationTests: XCTestCase {
    func testTwoMicroBatchesAccumulateToTheFullBatchGradient() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 8)
        let seqs: [[Int32]] = [[8, 1, 2, 3, 4, 5], [8, 6, 7, 9]]
        let full = try Batch(sequences: seqs, padToken: 10)
        let (t, w) = try full.nextTokenTargets()
        let total = w.reduce(0, +)
        let out = try model.forward(full)
        let fullLoss = try LogitMath.maskedCrossEntropy(logits: out.logits, targets: t, weights: w, vocabSize: 11)
        try model.backward(dLogits: fullLoss.dLogits)
        let fullGrad = model.gradients.array()
        model.zeroGradients()
        var accumulated = 0.0
        for s in seqs {
            let micro = try Batch(sequences: [s], padToken: 10)
            let (mt, mw) = try micro.nextTokenTargets()
            let o = try model.forward(micro)
            let ce = try LogitMath.maskedCrossEntropy(logits: o.logits, targets: mt, weights: mw, vocabSize: 11,
                                                      normalizer: total)
            accumulated += ce.loss
            try model.backward(dLogits: ce.dLogits)
        }
        XCTAssertEqual(accumulated, fullLoss.loss, accuracy: 1e-5)
        for (a, b) in zip(model.gradients.array(), fullGrad) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        // Padded positions get no attention and the shorter sequence's logits match its unpadded run.
        let short = try model.forward(Batch(sequences: [seqs[1]], padToken: 10)).logits
        XCTAssertEqual(Array(out.logits[(6 * 11)..<(10 * 11)]).map { ($0 * 1e4).rounded() },
                       short.map { ($0 * 1e4).rounded() })
    }

    func testRewardModelInheritsTheTrunkOfAPolicy() throws {
        let policy = try LlamaModel(config: TestModels.config, seed: 1)
        let rm = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 2)
        let copied = rm.copyMatchingParameters(from: policy)
        XCTAssertEqual(copied.count, rm.layout.slices.count - 1, "everything but score.weight")
        XCTAssertFalse(copied.contains("score.weight"))
        XCTAssertEqual(try rm.parameter(named: "model.layers.1.mlp.down_proj.weight"),
                       try policy.parameter(named: "model.layers.1.mlp.down_proj.weight"))
        let reference = try LlamaModel(copying: policy)
        try policy.setParameter(named: "model.norm.weight", to: [Float](repeating: 2, count: 16))
        XCTAssertEqual(try reference.parameter(named: "model.norm.weight"), [Float](repeating: 1, count: 16), "copy is independent")
    }
}
