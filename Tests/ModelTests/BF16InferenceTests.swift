import XCTest
@testable import Kernels
@testable import Model
import TestSupport

/// The bf16 inference path (AVX-512 BF16) against fp32, the reference; skipped on CPUs without it.
///
/// Stated tolerance: products within 1% of the largest |output| (inputs and weights rounded to 8
/// significant bits, K up to 70 here); next-token log-probs within 0.05 nats of fp32 on the test model.
final class BF16InferenceTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(BF16Matmul.isSupported, "this CPU has no AVX-512 BF16")
    }

    func testProductMatchesFP32WithinTolerance() {
        // Odd K, N not a multiple of 32, M not a multiple of 8, with and without accumulation.
        for (n, c, oc) in [(1, 5, 3), (13, 70, 45), (9, 64, 96), (16, 33, 32)] {
            let inp = GradientCheck.random(n * c, seed: UInt64(n)), w = GradientCheck.random(oc * c, seed: UInt64(c))
            let base = GradientCheck.random(n * oc, seed: 99)
            for accumulate in [false, true] {
                var expected = base, got = base
                let packed = w.withUnsafeBufferPointer {
                    BF16Matmul.PackedWeight(weight: $0.baseAddress!, outFeatures: oc, inFeatures: c)
                }
                inp.withUnsafeBufferPointer { x in
                    w.withUnsafeBufferPointer { wp in
                        expected.withUnsafeMutableBufferPointer {
                            Matmul.forward(out: $0.baseAddress!, inp: x.baseAddress!, weight: wp.baseAddress!, n: n, c: c, oc: oc,
                                           accumulate: accumulate)
                        }
                    }
                    got.withUnsafeMutableBufferPointer {
                        BF16Matmul.forward(out: $0.baseAddress!, inp: x.baseAddress!, weight: packed, n: n, accumulate: accumulate)
                    }
                }
                let scale = expected.map { abs($0) }.max()!
                for (g, e) in zip(got, expected) {
                    XCTAssertEqual(g, e, accuracy: 0.01 * scale, "\(n)x\(c)x\(oc) accumulate \(accumulate)")
                }
                XCTAssertNotEqual(got, expected, "bf16 rounding should show somewhere")
            }
        }
    }

    func testNextTokenLogProbsStayCloseToFP32AndAreDeterministic() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 21)
        let batch = try TestModels.batch()
        let fp32 = try model.nextTokenLogProbs(batch)
        model.inferencePrecision = .bf16
        let bf16 = try model.nextTokenLogProbs(batch)
        XCTAssertEqual(try model.nextTokenLogProbs(batch), bf16, "same inputs, same thread count: bit-identical")
        for (b, f) in zip(bf16, fp32) { XCTAssertEqual(b, f, accuracy: 0.05) }
        XCTAssertNotEqual(bf16, fp32)
        XCTAssertThrowsError(try model.backward(dLogits: [Float](repeating: 0, count: batch.tokens.count * 11)),
                             "bf16 scoring leaves no activations for backward")
    }

    func testCachedGenerationLogProbsMatchFP32Scoring() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 22)
        model.inferencePrecision = .bf16
        let prompts: [[Int32]] = [[8, 1, 2], [8, 3], [8, 1, 2]]
        var rng = Xoshiro256(seed: 5)
        let g = try model.generate(prompts: prompts, options: SamplingOptions(temperature: 1, maxNewTokens: 6, stopAtEOS: false),
                                   rng: &rng)
        model.inferencePrecision = .fp32
        let scored = try model.responseLogProbs(prompts: prompts, responses: g.tokens)
        for (got, reference) in zip(g.logProbs, scored) {
            XCTAssertEqual(got.count, reference.count)
            for (x, y) in zip(got, reference) { XCTAssertEqual(x, y, accuracy: 0.05) }
        }
    }
}
