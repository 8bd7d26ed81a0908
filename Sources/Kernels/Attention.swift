import Foundation

/// Shapes of one multi-head causal attention call with grouped-query KV heads.
public struct AttentionShape {
    /// Batch size B.
    public var batch: Int
    /// Sequence length T.
    public var seqLen: Int
    /// Query heads NH.
    public var heads: Int
    /// Key/value heads NKV; NH must be a multiple of NKV.
    public var kvHeads: Int
    /// Head dimension HD.
    public var headDim: Int

    /// Creates a shape.
    public init(batch: Int, seqLen: Int, heads: Int, kvHeads: Int, headDim: Int) {
        self.batch = batch
        self.seqLen = seqLen
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
    }
}

/// Causal scaled-dot-product attention with GQA and a key padding mask, via BLAS per (batch, head).
public enum Attention {
    /// out (B,T,NH,HD) and probabilities att (B,NH,T,T) from q (B,T,NH,HD), k, v (B,T,NKV,HD).
    ///
    /// Query i attends to keys j ≤ i whose keyMask (B,T) is nonzero; a row with no such key gives zeros.
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        keyMask: UnsafePointer<Float>, shape s: AttentionShape
    ) {
        let T = s.seqLen, HD = s.headDim, ldq = s.heads * HD, ldk = s.kvHeads * HD
        let group = s.heads / s.kvHeads
        let scale = 1 / Float(HD).squareRoot()
        for b in 0..<s.batch {
            let mask = keyMask + b * T
            for h in 0..<s.heads {
                let qbh = q + b * T * ldq + h * HD
                let kbh = k + b * T * ldk + (h / group) * HD
                let vbh = v + b * T * ldk + (h / group) * HD
                let p = att + (b * s.heads + h) * T * T
                for i0 in stride(from: 0, to: T, by: blockRows) {
                    let i1 = min(i0 + blockRows, T)
                    // Causal row block: rows i0..<i1 only need keys 0..<i1.
                    BLAS.sgemm(transA: false, transB: true, m: i1 - i0, n: i1, k: HD, alpha: scale,
                               a: qbh + i0 * ldq, lda: ldq, b: kbh, ldb: ldk, beta: 0, c: p + i0 * T, ldc: T)
                    for i in i0..<i1 { softmaxRow(p + i * T, i: i, t: T, mask: mask) }
                    BLAS.sgemm(transA: false, transB: false, m: i1 - i0, n: HD, k: i1, a: p + i0 * T, lda: T,
                               b: vbh, ldb: ldk, beta: 0, c: out + b * T * ldq + h * HD + i0 * ldq, ldc: ldq)
                }
            }
        }
    }

    /// Rows processed together; a block of rows only multiplies against the keys it can see.
    static let blockRows = 64

    /// Masked causal softmax of score row i (length T) in place; zeros when no key is visible.
    private static func softmaxRow(_ row: UnsafeMutablePointer<Float>, i: Int, t T: Int, mask: UnsafePointer<Float>) {
        var maxv = -Float.infinity
        for j in 0...i where mask[j] != 0 { maxv = max(maxv, row[j]) }
        if maxv == -Float.infinity {
            row.update(repeating: 0, count: T)
            return
        }
        var sum: Float = 0
        for j in 0...i {
            let e: Float = mask[j] != 0 ? expf(row[j] - maxv) : 0
            row[j] = e
            sum += e
        }
        let inv = 1 / sum
        for j in 0...i { row[j] *= inv }
        if i + 1 < T { (row + i + 1).update(repeating: 0, count: T - i - 1) }
    }

    /// dq (B,T,NH,HD) =, dk, dv (B,T,NKV,HD) = from dout (B,T,NH,HD) and the saved att (B,NH,T,T).
    ///
    /// `scratch` holds T·T floats.
    public static func backward(
        dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        att: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>, shape s: AttentionShape
    ) {
        let T = s.seqLen, HD = s.headDim, ldq = s.heads * HD, ldk = s.kvHeads * HD
        let group = s.heads / s.kvHeads
        let scale = 1 / Float(HD).squareRoot()
        dk.update(repeating: 0, count: s.batch * T * ldk)
        dv.update(repeating: 0, count: s.batch * T * ldk)
        let dp = scratch
        for b in 0..<s.batch {
            for h in 0..<s.heads {
                let off = b * T * ldq + h * HD
                let kvOff = b * T * ldk + (h / group) * HD
                let p = att + (b * s.heads + h) * T * T
                for i0 in stride(from: 0, to: T, by: blockRows) {
                    let i1 = min(i0 + blockRows, T), m = i1 - i0
                    let pb = p + i0 * T, db = dp + i0 * T
                    // dP (rows i0..<i1, keys 0..<i1) = dO · Vᵀ ; dV += Pᵀ · dO
                    BLAS.sgemm(transA: false, transB: true, m: m, n: i1, k: HD, a: dout + off + i0 * ldq, lda: ldq,
                               b: v + kvOff, ldb: ldk, beta: 0, c: db, ldc: T)
                    BLAS.sgemm(transA: true, transB: false, m: i1, n: HD, k: m, a: pb, lda: T,
                               b: dout + off + i0 * ldq, ldb: ldq, beta: 1, c: dv + kvOff, ldc: ldk)
                    // dS = P ⊙ (dP − rowsum(P ⊙ dP)) · scale, in place in dp.
                    for i in i0..<i1 {
                        let pr = p + i * T, dr = dp + i * T
                        var dot: Float = 0
                        for j in 0...i { dot += pr[j] * dr[j] }
                        for j in 0...i { dr[j] = pr[j] * (dr[j] - dot) * scale }
                        if i + 1 < i1 { (dr + i + 1).update(repeating: 0, count: i1 - i - 1) }
                    }
                    // dQ = dS · K ; dK += dSᵀ · Q
                    BLAS.sgemm(transA: false, transB: false, m: m, n: HD, k: i1, a: db, lda: T, b: k + kvOff, ldb: ldk,
                               beta: 0, c: dq + off + i0 * ldq, ldc: ldq)
                    BLAS.sgemm(transA: true, transB: false, m: i1, n: HD, k: m, a: db, lda: T, b: q + off + i0 * ldq,
                               ldb: ldq, beta: 1, c: dk + kvOff, ldc: ldk)
                }
            }
        }
    }

    /// Inference attention against a KV cache: out (B,T,NH,HD) from q (B,T,NH,HD) and the cache
    /// k, v (B,cap,NKV,HD); query t of sequence b sits at position start[b]+t and sees keys 0...start[b]+t.
    ///
    /// `scratch` holds `cap` floats.
    public static func forwardCached(
        out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>,
        kCache: UnsafePointer<Float>, vCache: UnsafePointer<Float>, capacity cap: Int,
        start: UnsafePointer<Int32>, scratch: UnsafeMutablePointer<Float>, shape s: AttentionShape
    ) {
        let T = s.seqLen, HD = s.headDim, ldq = s.heads * HD, ldk = s.kvHeads * HD
        let group = s.heads / s.kvHeads
        let scale = 1 / Float(HD).squareRoot()
        for b in 0..<s.batch {
            for t in 0..<T {
                let last = Int(start[b]) + t
                for h in 0..<s.heads {
                    let qv = q + (b * T + t) * ldq + h * HD
                    let kb = kCache + b * cap * ldk + (h / group) * HD
                    let vb = vCache + b * cap * ldk + (h / group) * HD
                    var maxv = -Float.infinity
                    for j in 0...last {
                        let kv = kb + j * ldk
                        var dot: Float = 0
                        for d in 0..<HD { dot += qv[d] * kv[d] }
                        dot *= scale
                        scratch[j] = dot
                        maxv = max(maxv, dot)
                    }
                    var sum: Float = 0
                    for j in 0...last {
                        let e = expf(scratch[j] - maxv)
                        scratch[j] = e
                        sum += e
                    }
                    let o = out + (b * T + t) * ldq + h * HD
                    o.update(repeating: 0, count: HD)
                    let inv = 1 / sum
                    for j in 0...last {
                        let w = scratch[j] * inv
                        let vv = vb + j * ldk
                        for d in 0..<HD { o[d] += w * vv[d] }
                    }
                }
            }
        }
    }
}
