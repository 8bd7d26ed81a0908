import XCTest
@testable import Kernels
import TestSupport

/// The attention kernels against a naive triple-loop reference in Double.
final class AttentionReferenceTests: XCTestCase {
    /// Padded GQA batch with odd T and q, k, v read from fused rows: three sequences, the second right-padded,
    /// the third with a masked key in the middle and a masked first key (its query 0 sees nothing).
    func testKernelsMatchNaiveReferenceOnPaddedGQABatchWithOddT() {
        for headDim in [8, 12, 32, 40] {
            let T = 37
            var mask = [Float](repeating: 1, count: 3 * T)
            for t in 30..<T { mask[T + t] = 0 }
            mask[2 * T] = 0
            mask[2 * T + 17] = 0
            compare(heads: 4, kvHeads: 2, headDim: headDim, seqLen: T, mask: mask)
        }
    }

    /// Hidden key spans, as a packed preference pair uses them: in sequence 0 keys 20..<29 (the first branch)
    /// are hidden from queries 29..<37, and in sequence 1 query 10 hides keys 3..<12, which reach past it.
    func testKernelsHideEachQuerysKeySpanOnBothPaths() {
        for headDim in [8, 32, 40] {
            let T = 37
            var hidden = [Int32](repeating: 0, count: 2 * 2 * T)
            for i in 29..<T { hidden[2 * i] = 20; hidden[2 * i + 1] = 29 }
            hidden[2 * (T + 10)] = 3
            hidden[2 * (T + 10) + 1] = 12
            var mask = [Float](repeating: 1, count: 2 * T)
            for t in 33..<T { mask[T + t] = 0 }
            compare(heads: 4, kvHeads: 2, headDim: headDim, seqLen: T, mask: mask, hidden: hidden)
        }
    }

    private func compare(heads NH: Int, kvHeads NKV: Int, headDim HD: Int, seqLen T: Int, mask: [Float], hidden: [Int32]? = nil) {
        let B = mask.count / T, QC = NH * HD, KC = NKV * HD, row = QC + 2 * KC + 3 // fused rows, 3 spare floats
        let s = AttentionShape(batch: B, seqLen: T, heads: NH, kvHeads: NKV, headDim: HD, qStride: row, kvStride: row)
        let qkv = GradientCheck.random(B * T * row, seed: 21, scale: 2)
        let dout = GradientCheck.random(B * T * QC, seed: 22)
        var out = [Float](repeating: .nan, count: B * T * QC)
        var att = [Float](repeating: .nan, count: B * NH * T * T)
        var grads = [Float](repeating: .nan, count: B * T * row) // dq | dk | dv at q, k, v's offsets
        qkv.withUnsafeBufferPointer { x in
            let q = x.baseAddress!
            Attention.forward(out: &out, att: &att, q: q, k: q + QC, v: q + QC + KC, keyMask: mask, hiddenKeys: hidden, shape: s)
            grads.withUnsafeMutableBufferPointer { g in
                let d = g.baseAddress!
                Attention.backward(dq: d, dk: d + QC, dv: d + QC + KC, dout: dout, out: out, q: q, k: q + QC,
                                   v: q + QC + KC, att: att, shape: s)
            }
        }
        let ref = NaiveAttention(qkv: qkv.map(Double.init), dout: dout.map(Double.init), mask: mask, hidden: hidden, shape: s)
        let what = "HD \(HD)"
        assertClose(out, ref.out, "\(what) out")
        // Entries after the diagonal are not part of the contract (the SIMD path leaves most unwritten).
        let causal = att.indices.map { ($0 % T) <= ($0 / T) % T ? att[$0] : 0 }
        assertClose(causal, ref.p, "\(what) probabilities")
        for b in 0..<B {
            for t in 0..<T {
                let base = (b * T + t) * row
                assertClose(Array(grads[base..<(base + QC + 2 * KC)]), Array(ref.dqkv[base..<(base + QC + 2 * KC)]),
                            "\(what) dq|dk|dv of token \(t) in sequence \(b)")
            }
        }
        if B > 2 {
            XCTAssertEqual(out[(2 * T) * QC..<(2 * T) * QC + QC].map(abs).max(), 0, "a query with no visible key gives zeros")
        }
        if let hidden {
            for i in 0..<T where hidden[2 * i] < hidden[2 * i + 1] {
                for j in Int(hidden[2 * i])..<min(Int(hidden[2 * i + 1]), i + 1) {
                    XCTAssertEqual(att[i * T + j], 0, "\(what): query \(i) must not see hidden key \(j)")
                }
            }
        }
    }

    private func assertClose(_ got: [Float], _ want: [Double], _ what: String, file: StaticString = #filePath,
                             line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, what, file: file, line: line)
        let worst = zip(got, want).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? .nan
        XCTAssertLessThan(worst, 1e-4, "\(what): worst relative difference", file: file, line: line)
    }
}

/// Causal GQA attention with a key mask and hidden key spans, forward and backward, by plain loops in Double.
private struct NaiveAttention {
    /// Output (B,T,NH,HD), probabilities (B,NH,T,T) and the gradients laid out like the fused q|k|v rows.
    var out: [Double], p: [Double], dqkv: [Double]

    /// Runs both passes; q, k, v sit in fused rows of `shape.qStride` floats; `hidden` (B,T,2) as in `Attention.forward`.
    init(qkv x: [Double], dout: [Double], mask: [Float], hidden: [Int32]?, shape s: AttentionShape) {
        let B = s.batch, T = s.seqLen, NH = s.heads, HD = s.headDim, ld = s.qStride
        let QC = NH * HD, KC = s.kvHeads * HD, scale = 1 / Double(HD).squareRoot()
        out = [Double](repeating: 0, count: B * T * QC)
        p = [Double](repeating: 0, count: B * NH * T * T)
        dqkv = [Double](repeating: 0, count: x.count)
        for b in 0..<B {
            for h in 0..<NH {
                let kvh = h / (NH / s.kvHeads)
                func q(_ t: Int, _ d: Int) -> Int { (b * T + t) * ld + h * HD + d }
                func k(_ t: Int, _ d: Int) -> Int { (b * T + t) * ld + QC + kvh * HD + d }
                func v(_ t: Int, _ d: Int) -> Int { (b * T + t) * ld + QC + KC + kvh * HD + d }
                func o(_ t: Int, _ d: Int) -> Int { (b * T + t) * QC + h * HD + d }
                for i in 0..<T {
                    let span = hidden.map { Int($0[2 * (b * T + i)])..<max(Int($0[2 * (b * T + i)]), Int($0[2 * (b * T + i) + 1])) }
                    let visible = (0...i).filter { mask[b * T + $0] != 0 && !(span?.contains($0) ?? false) }
                    if visible.isEmpty { continue }
                    let scores = visible.map { j in (0..<HD).reduce(0.0) { $0 + x[q(i, $1)] * x[k(j, $1)] } * scale }
                    let m = scores.max()!, e = scores.map { Foundation.exp($0 - m) }, sum = e.reduce(0, +)
                    let probs = e.map { $0 / sum }
                    for (j, pj) in zip(visible, probs) {
                        p[((b * NH + h) * T + i) * T + j] = pj
                        for d in 0..<HD { out[o(i, d)] += pj * x[v(j, d)] }
                    }
                    let dp = visible.map { j in (0..<HD).reduce(0.0) { $0 + dout[o(i, $1)] * x[v(j, $1)] } }
                    let dot = zip(probs, dp).reduce(0.0) { $0 + $1.0 * $1.1 }
                    for (n, j) in visible.enumerated() {
                        let ds = probs[n] * (dp[n] - dot) * scale
                        for d in 0..<HD {
                            dqkv[q(i, d)] += ds * x[k(j, d)]
                            dqkv[k(j, d)] += ds * x[q(i, d)]
                            dqkv[v(j, d)] += probs[n] * dout[o(i, d)]
                        }
                    }
                }
            }
        }
    }
}
