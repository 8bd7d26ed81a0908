extension Attention {
    /// Inference attention against a KV cache: out (B,T,NH,HD) from q (B,T,NH,HD) and the cache
    /// k, v (B,cap,NKV,HD) (row strides `shape.qStride` and `shape.kvStride`); query t of sequence b sits at position start[b]+t and sees keys 0...start[b]+t.
    ///
    /// Sequences are split over `Parallel.threadCount` threads when there is enough work to repay it.
    public static func forwardCached(
        out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>,
        kCache: UnsafePointer<Float>, vCache: UnsafePointer<Float>, capacity cap: Int,
        start: UnsafePointer<Int32>, shape s: AttentionShape
    ) {
        let T = s.seqLen, HD = s.headDim, ldq = s.qStride, ldk = s.kvStride, ldo = s.outStride
        let workPerSequence = max(1, T * s.heads * (Int(start[0]) + T) * HD)
        Parallel.forEachRange(count: s.batch, grain: max(1, BLAS.parallelThreshold / workPerSequence)) { sequences in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: cap)
            defer { scores.deallocate() }
            for b in sequences {
                for t in 0..<T {
                    let last = Int(start[b]) + t
                    for h in 0..<s.heads {
                        let qv = q + (b * T + t) * ldq + h * HD
                        let kb = kCache + b * cap * ldk + (h / s.group) * HD
                        let vb = vCache + b * cap * ldk + (h / s.group) * HD
                        for j in 0...last { scores[j] = VectorMath.dot(qv, kb + j * ldk, count: HD) * s.scale }
                        let maxv = VectorMath.maximum(scores, count: last + 1)
                        let inv = 1 / VectorMath.expShiftedInPlace(scores, count: last + 1, shift: maxv)
                        let o = out + (b * T + t) * ldo + h * HD
                        o.update(repeating: 0, count: HD)
                        for j in 0...last { axpy(scores[j] * inv, vb + j * ldk, into: o, count: HD) }
                    }
                }
            }
        }
    }

    /// y (count) += w · x (count).
    @inline(__always)
    private static func axpy(_ w: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var d = 0
        while d + VectorMath.width <= count {
            VectorMath.store(VectorMath.load(y + d) + w * VectorMath.load(x + d), to: y + d)
            d += VectorMath.width
        }
        while d < count {
            y[d] += w * x[d]
            d += 1
        }
    }
}
