import XCTest
@testable import Kernels
import TestSupport

/// Finite-difference gradient checks of every kernel against its forward, with L = Σ out·R.
final class KernelGradientTests: XCTestCase {
    func testEmbeddingGradient() {
        let V = 5, C = 3
        let tokens: [Int32] = [1, 4, 1, 0]
        let table = GradientCheck.random(V * C, seed: 1)
        let r = GradientCheck.random(tokens.count * C, seed: 2)
        func fwd(_ t: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: tokens.count * C)
            Embedding.forward(out: &out, tokens: tokens, table: t, n: tokens.count, c: C)
            return out
        }
        var dtable = [Float](repeating: 0, count: V * C)
        Embedding.backward(dtable: &dtable, dout: r, tokens: tokens, n: tokens.count, c: C)
        GradientCheck.check("embedding", x: table, analytic: dtable) { GradientCheck.dot(fwd($0), r) }
        XCTAssertEqual(dtable[2 * C], 0, "unused row gets no gradient")
    }

    func testRMSNormGradient() {
        let N = 3, C = 8
        let x = GradientCheck.random(N * C, seed: 3)
        let w = GradientCheck.random(C, seed: 4).map { $0 + 1.5 }
        let r = GradientCheck.random(N * C, seed: 5)
        func fwd(_ x: [Float], _ w: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: N * C), rstd = [Float](repeating: 0, count: N)
            RMSNorm.forward(out: &out, rstd: &rstd, inp: x, weight: w, n: N, c: C, eps: 1e-5)
            return out
        }
        var out = [Float](repeating: 0, count: N * C), rstd = [Float](repeating: 0, count: N)
        RMSNorm.forward(out: &out, rstd: &rstd, inp: x, weight: w, n: N, c: C, eps: 1e-5)
        var dx = [Float](repeating: 0, count: N * C), dw = [Float](repeating: 0, count: C)
        RMSNorm.backward(dinp: &dx, dweight: &dw, dout: r, inp: x, weight: w, rstd: rstd, n: N, c: C,
                         accumulateInput: false)
        GradientCheck.check("rmsnorm.x", x: x, analytic: dx, eps: 1e-3) { GradientCheck.dot(fwd($0, w), r) }
        GradientCheck.check("rmsnorm.w", x: w, analytic: dw, eps: 1e-3) { GradientCheck.dot(fwd(x, $0), r) }
    }

    func testRoPEGradientAndHalfRotation() {
        let N = 3, H = 2, D = 8
        let t = RoPE.tables(maxPositions: 8, headDim: D, theta: 10_000)
        let positions: [Int32] = [0, 3, 7]
        let x = GradientCheck.random(N * H * D, seed: 6)
        let r = GradientCheck.random(N * H * D, seed: 7)
        func fwd(_ x: [Float]) -> [Float] {
            var y = x
            RoPE.forward(x: &y, positions: positions, cos: t.cos, sin: t.sin, n: N, heads: H, headDim: D)
            return y
        }
        var d = r
        RoPE.backward(d: &d, positions: positions, cos: t.cos, sin: t.sin, n: N, heads: H, headDim: D)
        GradientCheck.check("rope", x: x, analytic: d) { GradientCheck.dot(fwd($0), r) }
        XCTAssertEqual(fwd(x)[0], x[0], "position 0 is the identity")
        let y = fwd(x)
        let angle = Float(3) * 1 // i = 0: inv_freq 1
        XCTAssertEqual(y[H * D], x[H * D] * cos(angle) - x[H * D + D / 2] * sin(angle), accuracy: 1e-5)
    }

    func testAttentionGradientWithGQAAndPaddingMask() {
        checkAttention(AttentionShape(batch: 2, seqLen: 4, heads: 4, kvHeads: 2, headDim: 4),
                       mask: [1, 1, 1, 1, 1, 0, 1, 0], indices: nil)
    }

    func testAttentionGradientAcrossCausalRowBlocks() {
        let T = Attention.blockRows + 6
        var mask = [Float](repeating: 1, count: 2 * T)
        mask[T + 3] = 0
        checkAttention(AttentionShape(batch: 2, seqLen: T, heads: 2, kvHeads: 1, headDim: 4), mask: mask,
                       indices: [0, 5, 4 * 60 + 1, 4 * 130 + 2, 4 * 2 * T - 1, 4 * 2 * T + 3, 4 * (4 * T - 1)])
    }

    private func checkAttention(_ s: AttentionShape, mask: [Float], indices: [Int]?) {
        let nq = s.batch * s.seqLen * s.heads * s.headDim, nk = s.batch * s.seqLen * s.kvHeads * s.headDim
        let q = GradientCheck.random(nq, seed: 8), k = GradientCheck.random(nk, seed: 9), v = GradientCheck.random(nk, seed: 10)
        let r = GradientCheck.random(nq, seed: 11)
        func fwd(_ q: [Float], _ k: [Float], _ v: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: nq)
            var att = [Float](repeating: 0, count: s.batch * s.heads * s.seqLen * s.seqLen)
            Attention.forward(out: &out, att: &att, q: q, k: k, v: v, keyMask: mask, shape: s)
            return out
        }
        var out = [Float](repeating: 0, count: nq)
        var att = [Float](repeating: 0, count: s.batch * s.heads * s.seqLen * s.seqLen)
        Attention.forward(out: &out, att: &att, q: q, k: k, v: v, keyMask: mask, shape: s)
        var dq = [Float](repeating: 0, count: nq), dk = [Float](repeating: 0, count: nk), dv = dk
        Attention.backward(dq: &dq, dk: &dk, dv: &dv, dout: r, out: out, q: q, k: k, v: v, att: att, shape: s)
        let kvIndices = indices?.map { $0 % nk }
        GradientCheck.check("attention.q", x: q, analytic: dq, indices: indices) { GradientCheck.dot(fwd($0, k, v), r) }
        GradientCheck.check("attention.k", x: k, analytic: dk, indices: kvIndices) { GradientCheck.dot(fwd(q, $0, v), r) }
        GradientCheck.check("attention.v", x: v, analytic: dv, indices: kvIndices) { GradientCheck.dot(fwd(q, k, $0), r) }
        // Padding keys' values must not influence anything.
        let width = s.kvHeads * s.headDim
        for (row, m) in mask.enumerated() where m == 0 {
            XCTAssertEqual(dv[(row * width)..<((row + 1) * width)].map(abs).max(), 0, "padding key \(row)")
        }
    }

    func testSwiGLUGradientOnFusedGateUpRows() {
        let rows = 3, width = 10 // width > 8 runs both the 8-lane loop and its scalar tail
        let gu = GradientCheck.random(rows * 2 * width, seed: 12, scale: 3) // each row: gate (width) | up (width)
        let r = GradientCheck.random(rows * width, seed: 14)
        func fwd(_ gu: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: rows * width)
            gu.withUnsafeBufferPointer { p in
                SwiGLU.forward(out: &out, gate: p.baseAddress!, up: p.baseAddress! + width, rows: rows, width: width,
                               inputStride: 2 * width)
            }
            return out
        }
        var dgu = [Float](repeating: 0, count: rows * 2 * width)
        gu.withUnsafeBufferPointer { p in
            dgu.withUnsafeMutableBufferPointer { d in
                SwiGLU.backward(dgate: d.baseAddress!, dup: d.baseAddress! + width, dout: r, gate: p.baseAddress!,
                                up: p.baseAddress! + width, rows: rows, width: width, inputStride: 2 * width)
            }
        }
        GradientCheck.check("swiglu.gate|up", x: gu, analytic: dgu, eps: 1e-3) { GradientCheck.dot(fwd($0), r) }
        let g = gu[2 * width + 1], u = gu[3 * width + 1]
        XCTAssertEqual(fwd(gu)[width + 1], g / (1 + exp(-g)) * u, accuracy: 1e-5, "row 1 reads its own gate and up")
    }

    func testLMHeadWithLossMaskGradient() {
        let N = 4, C = 6, V = 7
        let x = GradientCheck.random(N * C, seed: 15), w = GradientCheck.random(V * C, seed: 16)
        let targets: [Int32] = [2, 6, 0, 3]
        let weights: [Float] = [1, 0, 1, 0.5]
        func loss(_ x: [Float], _ w: [Float]) -> Double {
            var logits = [Float](repeating: 0, count: N * V), d = logits
            Matmul.forward(out: &logits, inp: x, weight: w, n: N, c: C, oc: V)
            return Softmax.crossEntropy(dlogits: &d, logits: logits, targets: targets, weights: weights, n: N, v: V,
                                        normalizer: 2.5)
        }
        var logits = [Float](repeating: 0, count: N * V), dl = logits
        Matmul.forward(out: &logits, inp: x, weight: w, n: N, c: C, oc: V)
        _ = Softmax.crossEntropy(dlogits: &dl, logits: logits, targets: targets, weights: weights, n: N, v: V, normalizer: 2.5)
        XCTAssertEqual(dl[V..<(2 * V)].map(abs).max(), 0, "masked row has no gradient")
        var dx = [Float](repeating: 0, count: N * C), dw = [Float](repeating: 0, count: V * C)
        Matmul.backward(dinp: &dx, dweight: &dw, dout: dl, inp: x, weight: w, n: N, c: C, oc: V)
        GradientCheck.check("lmhead.x", x: x, analytic: dx, eps: 1e-3) { loss($0, w) }
        GradientCheck.check("lmhead.w", x: w, analytic: dw, eps: 1e-3) { loss(x, $0) }
    }

    func testScalarHeadGradient() {
        let N = 5, C = 6
        let x = GradientCheck.random(N * C, seed: 17), w = GradientCheck.random(C, seed: 18)
        let r = GradientCheck.random(N, seed: 19)
        func fwd(_ x: [Float], _ w: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: N)
            Matmul.forward(out: &out, inp: x, weight: w, n: N, c: C, oc: 1)
            return out
        }
        var dx = [Float](repeating: 0, count: N * C), dw = [Float](repeating: 0, count: C)
        Matmul.backward(dinp: &dx, dweight: &dw, dout: r, inp: x, weight: w, n: N, c: C, oc: 1)
        GradientCheck.check("score.x", x: x, analytic: dx, eps: 1e-3) { GradientCheck.dot(fwd($0, w), r) }
        GradientCheck.check("score.w", x: w, analytic: dw, eps: 1e-3) { GradientCheck.dot(fwd(x, $0), r) }
    }

    func testTokenLogProbAndEntropyGradients() {
        let N = 3, V = 5
        let logits = GradientCheck.random(N * V, seed: 20, scale: 2)
        let tokens: [Int32] = [4, 0, 2]
        let g = GradientCheck.random(N, seed: 21)
        func lp(_ l: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: N)
            Softmax.tokenLogProbs(out: &out, logits: l, tokens: tokens, n: N, v: V)
            return out
        }
        func ent(_ l: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: N)
            Softmax.entropy(out: &out, logits: l, n: N, v: V)
            return out
        }
        var d1 = [Float](repeating: 0, count: N * V), d2 = d1
        Softmax.tokenLogProbsBackward(dlogits: &d1, dlogp: g, logits: logits, tokens: tokens, n: N, v: V, accumulate: false)
        Softmax.entropyBackward(dlogits: &d2, dentropy: g, logits: logits, n: N, v: V, accumulate: false)
        GradientCheck.check("logprob", x: logits, analytic: d1, eps: 1e-3) { GradientCheck.dot(lp($0), g) }
        GradientCheck.check("entropy", x: logits, analytic: d2, eps: 1e-3) { GradientCheck.dot(ent($0), g) }
    }
}
