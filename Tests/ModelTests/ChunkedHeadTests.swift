import XCTest
@testable import Model
import TestSupport

/// The LM head run a chunk of rows at a time, fused with the loss (`crossEntropyHead`) or the token
/// log-probs (`nextTokenLogProbs`), against the whole-logits path it replaces.
final class ChunkedHeadTests: XCTestCase {
    /// A batch with padding and a loss mask that leaves some rows out, so chunks gather scattered rows.
    private let lossMask: [Float] = [0, 1, 1, 0, 0.5, 1, 1, 1, 1, 0, 0, 0]

    /// Loss and gradients through `forward` + `LogitMath.maskedCrossEntropy` + `backward(dLogits:)`.
    private func wholeLogitsStep(_ config: LlamaConfig) throws -> (loss: Double, grads: [Float]) {
        let model = try LlamaModel(config: config, seed: 11)
        let batch = try TestModels.batch()
        let (targets, weights) = try batch.nextTokenTargets(lossMask: lossMask)
        let out = try model.forward(batch)
        let ce = try LogitMath.maskedCrossEntropy(logits: out.logits, targets: targets, weights: weights,
                                                  vocabSize: config.vocabSize)
        try model.backward(dLogits: ce.dLogits)
        return (ce.loss, model.gradients.array())
    }

    func testChunkedCrossEntropyMatchesWholeLogits() throws {
        for tied in [false, true] {
            var config = TestModels.config
            config.tieWordEmbeddings = tied
            let reference = try wholeLogitsStep(config)
            for rows in [1, 2, 3, 64] {
                let model = try LlamaModel(config: config, seed: 11)
                model.headChunkRows = rows
                let loss = try model.accumulateCrossEntropy(try TestModels.batch(), lossMask: lossMask)
                XCTAssertEqual(loss, reference.loss, accuracy: 1e-6 * abs(reference.loss), "tied \(tied), \(rows) rows")
                let grads = model.gradients.array()
                let scale = reference.grads.map { abs($0) }.max()!
                XCTAssertGreaterThan(scale, 0)
                for (g, r) in zip(grads, reference.grads) {
                    XCTAssertEqual(g, r, accuracy: 1e-5 * scale, "tied \(tied), \(rows) rows")
                }
            }
        }
    }

    func testChunkedCrossEntropyGradientMatchesFiniteDifferences() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 12)
        model.headChunkRows = 2
        let batch = try TestModels.batch()
        func loss() throws -> Double {
            let l = try model.accumulateCrossEntropy(batch, lossMask: lossMask)
            model.zeroGradients()
            return l
        }
        try model.accumulateCrossEntropy(batch, lossMask: lossMask)
        let analytic = model.gradients.array() // loss() below zeroes the gradients
        for name in ["lm_head.weight", "model.norm.weight", "model.layers.1.mlp.down_proj.weight"] {
            let s = model.layout.slice(named: name)!
            let grads = Array(analytic[s.offset..<(s.offset + s.count)])
            let x = model.parameters.array(offset: s.offset, count: s.count)
            let picks = Array(Set([0, s.count / 3, s.count / 2, s.count - 1])).sorted()
            GradientCheck.check(name, x: x, analytic: grads, indices: picks, eps: 1e-2, atol: 3e-3, rtol: 3e-2) { values in
                try! model.setParameter(named: name, to: values)
                defer { try! model.setParameter(named: name, to: x) }
                return try! loss()
            }
        }
    }

    func testChunkedStepIsDeterministic() throws {
        func step() throws -> [Float] {
            let model = try LlamaModel(config: TestModels.config, seed: 13)
            model.headChunkRows = 3
            try model.accumulateCrossEntropy(try TestModels.batch(), lossMask: lossMask)
            return model.gradients.array()
        }
        XCTAssertEqual(try step(), try step())
    }

    func testNextTokenLogProbsMatchWholeLogits() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 14)
        let batch = try TestModels.batch()
        let V = TestModels.config.vocabSize, T = batch.seqLen
        let logits = try model.forward(batch).logits
        for temperature: Float in [1, 0.7] {
            let scaled = logits.map { $0 / temperature }
            var expected = [Float](repeating: 0, count: batch.tokens.count)
            for b in 0..<batch.batchSize {
                for t in 0..<(T - 1) where batch.mask[b * T + t + 1] != 0 {
                    let row = Array(scaled[(b * T + t) * V..<(b * T + t + 1) * V])
                    expected[b * T + t] = try LogitMath.tokenLogProbs(logits: row, tokens: [batch.tokens[b * T + t + 1]],
                                                                      vocabSize: V)[0]
                }
            }
            for rows in [1, 3, 64] {
                model.headChunkRows = rows
                model.scoringActivations = nil
                let got = try model.nextTokenLogProbs(batch, temperature: temperature)
                XCTAssertEqual(got.count, expected.count)
                for (g, e) in zip(got, expected) { XCTAssertEqual(g, e, accuracy: 1e-5, "T \(temperature), \(rows) rows") }
                XCTAssertEqual(got[T - 1], 0, "the last position has no next token")
            }
        }
        XCTAssertThrowsError(try model.nextTokenLogProbs(batch, temperature: 0))
    }
}
