/// Causal scaled-dot-product attention with GQA, a key padding mask and optional hidden key spans.
///
/// Work is split over (sequence, KV head) units on `Parallel.threadCount` threads. Head dims up to
/// `simdMaxHeadDim` run the SIMD kernels of `AttentionSIMD`; larger ones go through single-threaded
/// `cblas_sgemm` on blocks of query rows inside a unit.
public enum Attention {
    /// Rows the sgemm path processes together; a block of rows only multiplies against the keys it can see.
    static let blockRows = 64

    /// Largest head dim that uses the SIMD kernels instead of sgemm (measured: SIMD wins at 32, sgemm at 64).
    static let simdMaxHeadDim = 32

    /// out (B,T,NH,HD) and probabilities att (B,NH,T,T) from q (B,T,NH,HD), k, v (B,T,NKV,HD).
    ///
    /// Row i of att holds keys 0...i; only the SIMD path's next zeros (up to ⌈(i+1)/8⌉·8) are written after
    /// that, since `backward` reads no further.
    ///
    /// q, k, v rows may be wider than their heads (`shape.qStride`, `shape.kvStride`), e.g. one fused q|k|v
    /// row per token. Query i attends to keys j ≤ i whose keyMask (B,T) is nonzero; a row with no such key gives zeros.
    ///
    /// `hiddenKeys` (B,T,2), when given, holds for each query a span [from, to) of keys it may not see
    /// either (from ≥ to: none). This packs several continuations of one prefix into a sequence: each
    /// continuation hides the ones before it. Hidden keys get probability 0, so `backward` needs no span.
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        keyMask: UnsafePointer<Float>, hiddenKeys: UnsafePointer<Int32>? = nil, shape s: AttentionShape
    ) {
        if s.headDim <= simdMaxHeadDim {
            AttentionSIMD.forward(out: out, att: att, q: q, k: k, v: v, keyMask: keyMask, hiddenKeys: hiddenKeys, shape: s)
        } else {
            forwardBLAS(out: out, att: att, q: q, k: k, v: v, keyMask: keyMask, hiddenKeys: hiddenKeys, shape: s)
        }
    }

    /// Sets scores of query i (row index `row` of sequence `b`) to −∞ over its hidden key span, clipped to keys 0...i.
    @inline(__always)
    static func hideKeys(_ scores: UnsafeMutablePointer<Float>, i: Int, row: Int, hiddenKeys: UnsafePointer<Int32>?) {
        guard let hiddenKeys else { return }
        let from = Int(hiddenKeys[2 * row]), to = min(Int(hiddenKeys[2 * row + 1]), i + 1)
        if from < to { (scores + from).update(repeating: -.infinity, count: to - from) }
    }

    /// `forward` through sgemm on blocks of `blockRows` query rows.
    static func forwardBLAS(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        keyMask: UnsafePointer<Float>, hiddenKeys: UnsafePointer<Int32>?, shape s: AttentionShape
    ) {
        let T = s.seqLen, HD = s.headDim, ldq = s.qStride, ldk = s.kvStride, ldo = s.outStride
        forEachUnit(s) { b, kvh in
            let mask = keyMask + b * T
            let firstMasked = (0..<T).first { mask[$0] == 0 } ?? T
            let kbh = k + b * T * ldk + kvh * HD, vbh = v + b * T * ldk + kvh * HD
            for h in kvh * s.group..<(kvh + 1) * s.group {
                let qbh = q + b * T * ldq + h * HD
                let p = att + (b * s.heads + h) * T * T
                for i0 in stride(from: 0, to: T, by: blockRows) {
                    let i1 = min(i0 + blockRows, T)
                    BLAS.serialSgemm(transA: false, transB: true, m: i1 - i0, n: i1, k: HD, alpha: s.scale,
                               a: qbh + i0 * ldq, lda: ldq, b: kbh, ldb: ldk, beta: 0, c: p + i0 * T, ldc: T)
                    for i in i0..<i1 {
                        hideKeys(p + i * T, i: i, row: b * T + i, hiddenKeys: hiddenKeys)
                        softmaxRow(p + i * T, i: i, t: T, mask: mask, firstMasked: firstMasked)
                    }
                    BLAS.serialSgemm(transA: false, transB: false, m: i1 - i0, n: HD, k: i1, a: p + i0 * T, lda: T,
                               b: vbh, ldb: ldk, beta: 0, c: out + b * T * ldo + h * HD + i0 * ldo, ldc: ldo)
                }
            }
        }
    }

    /// Runs `body(b, kvHead)` for every (sequence, KV head) unit, spread over the threads.
    private static func forEachUnit(_ s: AttentionShape, _ body: (Int, Int) -> Void) {
        Parallel.forEachRange(count: s.batch * s.kvHeads, grain: 1) { units in
            for u in units { body(u / s.kvHeads, u % s.kvHeads) }
        }
    }

    /// Masked causal softmax of score row i (length T) in place; zeros when no key is visible.
    ///
    /// Keys from `firstMasked` on are checked against the mask; earlier keys are all visible.
    private static func softmaxRow(
        _ row: UnsafeMutablePointer<Float>, i: Int, t T: Int, mask: UnsafePointer<Float>, firstMasked: Int
    ) {
        if i >= firstMasked {
            for j in firstMasked...i where mask[j] == 0 { row[j] = -.infinity }
        }
        let maxv = VectorMath.maximum(row, count: i + 1)
        if maxv == -.infinity {
            row.update(repeating: 0, count: T)
            return
        }
        let sum = VectorMath.expShiftedInPlace(row, count: i + 1, shift: maxv)
        let inv = 1 / sum
        for j in 0...i { row[j] *= inv }
        if i + 1 < T { (row + i + 1).update(repeating: 0, count: T - i - 1) }
    }

    /// dq (B,T,NH,HD) =, dk, dv (B,T,NKV,HD) = from dout (B,T,NH,HD), the forward's out and its saved att (B,NH,T,T).
    ///
    /// dq has q's row stride and dk, dv have k's (`shape.qStride`, `shape.kvStride`).
    public static func backward(
        dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, out: UnsafePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
        v: UnsafePointer<Float>, att: UnsafePointer<Float>, shape s: AttentionShape
    ) {
        if s.headDim <= simdMaxHeadDim {
            AttentionSIMD.backward(dq: dq, dk: dk, dv: dv, dout: dout, out: out, q: q, k: k, v: v, att: att, shape: s)
        } else {
            backwardBLAS(dq: dq, dk: dk, dv: dv, dout: dout, q: q, k: k, v: v, att: att, shape: s)
        }
    }

    /// `backward` through sgemm on blocks of `blockRows` query rows.
    static func backwardBLAS(
        dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        att: UnsafePointer<Float>, shape s: AttentionShape
    ) {
        let T = s.seqLen, HD = s.headDim, ldq = s.qStride, ldk = s.kvStride, ldo = s.outStride
        forEachUnit(s) { b, kvh in
            let kvOff = b * T * ldk + kvh * HD
            for t in 0..<T {
                (dk + kvOff + t * ldk).update(repeating: 0, count: HD)
                (dv + kvOff + t * ldk).update(repeating: 0, count: HD)
            }
            let dp = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * T)
            defer { dp.deallocate() }
            for h in kvh * s.group..<(kvh + 1) * s.group {
                let off = b * T * ldq + h * HD, dOff = b * T * ldo + h * HD
                let p = att + (b * s.heads + h) * T * T
                for i0 in stride(from: 0, to: T, by: blockRows) {
                    let i1 = min(i0 + blockRows, T), m = i1 - i0
                    let pb = p + i0 * T
                    // dP (rows i0..<i1, keys 0..<i1) = dO · Vᵀ ; dV += Pᵀ · dO
                    BLAS.serialSgemm(transA: false, transB: true, m: m, n: i1, k: HD, a: dout + dOff + i0 * ldo, lda: ldo,
                               b: v + kvOff, ldb: ldk, beta: 0, c: dp, ldc: T)
                    BLAS.serialSgemm(transA: true, transB: false, m: i1, n: HD, k: m, a: pb, lda: T,
                               b: dout + dOff + i0 * ldo, ldb: ldo, beta: 1, c: dv + kvOff, ldc: ldk)
                    // dS = P ⊙ (dP − rowsum(P ⊙ dP)) · scale, in place in dp.
                    for i in i0..<i1 {
                        softmaxBackwardRow(dp + (i - i0) * T, probabilities: p + i * T, count: i + 1,
                                           rowDot: VectorMath.dot(p + i * T, dp + (i - i0) * T, count: i + 1), scale: s.scale)
                        if i + 1 < i1 { (dp + (i - i0) * T + i + 1).update(repeating: 0, count: i1 - i - 1) }
                    }
                    // dQ = dS · K ; dK += dSᵀ · Q
                    BLAS.serialSgemm(transA: false, transB: false, m: m, n: HD, k: i1, a: dp, lda: T, b: k + kvOff, ldb: ldk,
                               beta: 0, c: dq + off + i0 * ldq, ldc: ldq)
                    BLAS.serialSgemm(transA: true, transB: false, m: i1, n: HD, k: m, a: dp, lda: T, b: q + off + i0 * ldq,
                               ldb: ldq, beta: 1, c: dk + kvOff, ldc: ldk)
                }
            }
        }
    }

    /// d (count) = p ⊙ (d − rowDot) · scale, the softmax backward of one row, where rowDot = Σ p⊙d
    /// (which equals dO·O, so callers holding the forward output can pass it without a pass over the row).
    static func softmaxBackwardRow(
        _ d: UnsafeMutablePointer<Float>, probabilities p: UnsafePointer<Float>, count n: Int, rowDot: Float, scale: Float
    ) {
        var j = 0
        while j + VectorMath.width <= n {
            VectorMath.store(VectorMath.load(p + j) * (VectorMath.load(d + j) - rowDot) * scale, to: d + j)
            j += VectorMath.width
        }
        while j < n {
            d[j] = p[j] * (d[j] - rowDot) * scale
            j += 1
        }
    }
}
