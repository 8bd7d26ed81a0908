import Foundation
@testable import Kernels
import XCTest
import TestSupport

/// The vector exp, the range splitting, and kernels giving the same answers on one and on two threads.
final class KernelThreadingTests: XCTestCase {
    private var threadsBefore = 1

    override func setUp() {
        super.setUp()
        threadsBefore = BLAS.threadCount
    }

    override func tearDown() {
        BLAS.setThreadCount(threadsBefore)
        super.tearDown()
    }

    func testVectorExpStaysWithin4e7RelativeOfFoundationAcrossTheRange() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 0.013 })
            let got = VectorMath.exp(lanes)
            for i in 0..<8 {
                let want = Foundation.exp(Double(lanes[i]))
                worst = max(worst, Float(abs(Double(got[i]) - want) / want))
            }
            x += 0.37
        }
        XCTAssertLessThan(worst, 4e-7)
    }

    func testVectorExpEdgeCases() {
        let got = VectorMath.exp(SIMD8<Float>(-.infinity, -100, 0, 1, 89, .infinity, .nan, -87.2))
        XCTAssertEqual(got[0], 0)
        XCTAssertEqual(got[1], 0)
        XCTAssertEqual(got[2], 1)
        XCTAssertEqual(got[3], Float(M_E), accuracy: 1e-6)
        XCTAssertEqual(got[4], .infinity)
        XCTAssertEqual(got[5], .infinity)
        XCTAssertTrue(got[6].isNaN)
        XCTAssertEqual(Double(got[7]), Foundation.exp(Double(Float(-87.2))), accuracy: 1e-44)
    }

    func testRangesCoverTheCountContiguouslyAndRespectTheGrain() {
        BLAS.setThreadCount(2)
        XCTAssertEqual(Parallel.ranges(count: 10, grain: 4), [0..<5, 5..<10])
        XCTAssertEqual(Parallel.ranges(count: 7, grain: 4), [0..<7], "too little work for two threads")
        XCTAssertEqual(Parallel.ranges(count: 0, grain: 1), [0..<0])
        BLAS.setThreadCount(1)
        XCTAssertEqual(Parallel.ranges(count: 100, grain: 1), [0..<100])
    }

    func testRMSNormBackwardWithoutWeightGradientGivesTheSameInputGradient() {
        BLAS.setThreadCount(2)
        let n = 400, c = 24
        let x = GradientCheck.random(n * c, seed: 1), w = GradientCheck.random(c, seed: 2), dy = GradientCheck.random(n * c, seed: 3)
        var y = [Float](repeating: 0, count: n * c), rstd = [Float](repeating: 0, count: n)
        RMSNorm.forward(out: &y, rstd: &rstd, inp: x, weight: w, n: n, c: c, eps: 1e-5)
        var withWeight = [Float](repeating: 0, count: n * c), dw = [Float](repeating: 0, count: c)
        RMSNorm.backward(dinp: &withWeight, dweight: &dw, dout: dy, inp: x, weight: w, rstd: rstd, n: n, c: c,
                         accumulateInput: false)
        var frozen = [Float](repeating: 0, count: n * c)
        RMSNorm.backward(dinp: &frozen, dweight: nil, dout: dy, inp: x, weight: w, rstd: rstd, n: n, c: c,
                         accumulateInput: false)
        XCTAssertEqual(frozen, withWeight)
        XCTAssertNotEqual(dw, [Float](repeating: 0, count: c))
    }

    func testAttentionIsBitIdenticalOnOneAndTwoThreads() {
        let s = AttentionShape(batch: 3, seqLen: 70, heads: 4, kvHeads: 2, headDim: 8)
        let nq = s.batch * s.seqLen * s.heads * s.headDim, nk = s.batch * s.seqLen * s.kvHeads * s.headDim
        let q = GradientCheck.random(nq, seed: 1), k = GradientCheck.random(nk, seed: 2)
        let v = GradientCheck.random(nk, seed: 3), dout = GradientCheck.random(nq, seed: 4)
        var mask = [Float](repeating: 1, count: s.batch * s.seqLen)
        mask[s.seqLen + 60] = 0
        func run(threads: Int) -> [[Float]] {
            BLAS.setThreadCount(threads)
            var out = [Float](repeating: 0, count: nq)
            var att = [Float](repeating: 0, count: s.batch * s.heads * s.seqLen * s.seqLen)
            Attention.forward(out: &out, att: &att, q: q, k: k, v: v, keyMask: mask, shape: s)
            var dq = [Float](repeating: 0, count: nq), dk = [Float](repeating: 0, count: nk), dv = dk
            Attention.backward(dq: &dq, dk: &dk, dv: &dv, dout: dout, out: out, q: q, k: k, v: v, att: att, shape: s)
            return [out, dq, dk, dv]
        }
        XCTAssertEqual(run(threads: 1), run(threads: 2))
    }

    func testCrossEntropyAndRMSNormAgreeOnOneAndTwoThreads() {
        let n = 300, v = 50, c = 16
        let logits = GradientCheck.random(n * v, seed: 5)
        let targets = (0..<n).map { Int32($0 % v) }
        let weights = (0..<n).map { Float($0 % 3) }
        let x = GradientCheck.random(n * c, seed: 6), w = GradientCheck.random(c, seed: 7), dy = GradientCheck.random(n * c, seed: 8)
        func run(threads: Int) -> (loss: Double, dlogits: [Float], dweight: [Float]) {
            BLAS.setThreadCount(threads)
            var d = [Float](repeating: 0, count: n * v)
            let loss = Softmax.crossEntropy(dlogits: &d, logits: logits, targets: targets, weights: weights, n: n, v: v,
                                            normalizer: 7)
            var y = [Float](repeating: 0, count: n * c), rstd = [Float](repeating: 0, count: n)
            RMSNorm.forward(out: &y, rstd: &rstd, inp: x, weight: w, n: n, c: c, eps: 1e-5)
            var dx = [Float](repeating: 0, count: n * c), dw = [Float](repeating: 0, count: c)
            RMSNorm.backward(dinp: &dx, dweight: &dw, dout: dy, inp: x, weight: w, rstd: rstd, n: n, c: c,
                             accumulateInput: false)
            return (loss, d, dw)
        }
        let one = run(threads: 1), two = run(threads: 2)
        XCTAssertEqual(one.loss, two.loss, accuracy: 1e-9 * abs(one.loss))
        XCTAssertEqual(one.dlogits, two.dlogits, "rows are independent, so the gradient is bit-identical")
        for (a, b) in zip(one.dweight, two.dweight) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(a))) }
    }
}

/// Matrix products cut into per-thread slices against one serial product.
final class SlicedProductTests: XCTestCase {
    func testSlicedProductsMatchTheSerialProductForEveryTransposeAndShape() {
        let threadsBefore = BLAS.threadCount
        defer { BLAS.setThreadCount(threadsBefore) }
        BLAS.setThreadCount(2)
        // (m, n, k): tall (row slices), wide and short (column slices), both above the threshold.
        for (m, n, k) in [(300, 40, 64), (12, 900, 64)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let a = GradientCheck.random(m * k, seed: 1), b = GradientCheck.random(k * n, seed: 2)
                    let lda = transA ? m : k, ldb = transB ? k : n
                    var sliced = GradientCheck.random(m * n, seed: 3), serial = sliced
                    XCTAssertGreaterThanOrEqual(m * n * k, BLAS.parallelThreshold)
                    BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda,
                               b: b, ldb: ldb, beta: 1, c: &sliced, ldc: n)
                    BLAS.serialSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda,
                                     b: b, ldb: ldb, beta: 1, c: &serial, ldc: n)
                    for (x, y) in zip(sliced, serial) {
                        XCTAssertEqual(x, y, accuracy: 1e-4, "m=\(m) n=\(n) transA=\(transA) transB=\(transB)")
                    }
                }
            }
        }
    }
}
