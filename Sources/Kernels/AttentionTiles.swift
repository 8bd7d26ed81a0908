/// Register-blocked SIMD products of the small-head attention kernels (`AttentionSIMD`).
///
/// Both products keep their accumulators in eight-lane registers and use fused multiply-adds; their
/// summation order is fixed, so results do not depend on the thread that runs them.
enum AttentionTiles {
    /// Score rows a four-row tile computes together.
    static let tileRows = 4
    /// Keys a tile covers per step (two eight-lane vectors).
    static let tileColumns = 16

    /// out (4, ldo) columns 0..<⌈n/16⌉·16 = scale · A (4, depth) · Bᵀ, with Bᵀ stored transposed as bT (depth, ldb).
    ///
    /// A's rows start `lda` floats apart; only its first `rows` (1...4) are read, and the others repeat the
    /// last one. All four out rows are written. ldb and ldo must be at least ⌈n/16⌉·16.
    static func scoreTile(
        out: UnsafeMutablePointer<Float>, ldo: Int, a: UnsafePointer<Float>, lda: Int, rows: Int,
        bT: UnsafePointer<Float>, ldb: Int, depth: Int, columns n: Int, scale: Float
    ) {
        let a0 = a, a1 = a + min(1, rows - 1) * lda, a2 = a + min(2, rows - 1) * lda, a3 = a + min(3, rows - 1) * lda
        var j = 0
        while j < n {
            var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
            var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
            var bp = bT + j
            for d in 0..<depth {
                let b0 = VectorMath.load(bp), b1 = VectorMath.load(bp + 8)
                let x0 = SIMD8<Float>(repeating: a0[d]), x1 = SIMD8<Float>(repeating: a1[d])
                c00 = c00.addingProduct(x0, b0)
                c01 = c01.addingProduct(x0, b1)
                c10 = c10.addingProduct(x1, b0)
                c11 = c11.addingProduct(x1, b1)
                let x2 = SIMD8<Float>(repeating: a2[d]), x3 = SIMD8<Float>(repeating: a3[d])
                c20 = c20.addingProduct(x2, b0)
                c21 = c21.addingProduct(x2, b1)
                c30 = c30.addingProduct(x3, b0)
                c31 = c31.addingProduct(x3, b1)
                bp += ldb
            }
            let o = out + j
            VectorMath.store(c00 * scale, to: o)
            VectorMath.store(c01 * scale, to: o + 8)
            VectorMath.store(c10 * scale, to: o + ldo)
            VectorMath.store(c11 * scale, to: o + ldo + 8)
            VectorMath.store(c20 * scale, to: o + 2 * ldo)
            VectorMath.store(c21 * scale, to: o + 2 * ldo + 8)
            VectorMath.store(c30 * scale, to: o + 3 * ldo)
            VectorMath.store(c31 * scale, to: o + 3 * ldo + 8)
            j += tileColumns
        }
    }

    /// Weights w(r, j) = w[r·rowStride + j·colStride] and output rows out_r = out + r·ldo, r < rows (1 or 2).
    struct Weights {
        /// Weight (0, 0).
        var base: UnsafePointer<Float>
        /// Floats from one output row's weights to the next.
        var rowStride: Int
        /// Floats from one summed vector's weight to the next.
        var colStride: Int
    }

    /// out_r (width) (+)= Σ_{j<n} w(r, j) · b_j (width) for the `rows` (1 or 2) output rows r, with b_j = b + j·ldb.
    ///
    /// With `accumulate` the sums are added to out's values, else they replace them.
    static func weightedRows(
        out: UnsafeMutablePointer<Float>, ldo: Int, rows: Int, accumulate: Bool,
        weights w: Weights, count n: Int, b: UnsafePointer<Float>, ldb: Int, width: Int
    ) {
        let w0 = w.base, w1 = w.base + (rows > 1 ? w.rowStride : 0)
        let out1 = out + (rows > 1 ? ldo : 0)
        var d = 0
        while d + 32 <= width {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            var e0 = SIMD8<Float>(), e1 = SIMD8<Float>(), e2 = SIMD8<Float>(), e3 = SIMD8<Float>()
            var bp = b + d, wp0 = w0, wp1 = w1
            for _ in 0..<n {
                let b0 = VectorMath.load(bp), b1 = VectorMath.load(bp + 8)
                let b2 = VectorMath.load(bp + 16), b3 = VectorMath.load(bp + 24)
                let s = SIMD8<Float>(repeating: wp0.pointee), t = SIMD8<Float>(repeating: wp1.pointee)
                a0 = a0.addingProduct(s, b0)
                a1 = a1.addingProduct(s, b1)
                a2 = a2.addingProduct(s, b2)
                a3 = a3.addingProduct(s, b3)
                e0 = e0.addingProduct(t, b0)
                e1 = e1.addingProduct(t, b1)
                e2 = e2.addingProduct(t, b2)
                e3 = e3.addingProduct(t, b3)
                bp += ldb
                wp0 += w.colStride
                wp1 += w.colStride
            }
            put(a0, out + d, accumulate)
            put(a1, out + d + 8, accumulate)
            put(a2, out + d + 16, accumulate)
            put(a3, out + d + 24, accumulate)
            if rows > 1 {
                put(e0, out1 + d, accumulate)
                put(e1, out1 + d + 8, accumulate)
                put(e2, out1 + d + 16, accumulate)
                put(e3, out1 + d + 24, accumulate)
            }
            d += 32
        }
        while d + 8 <= width {
            var a0 = SIMD8<Float>(), e0 = SIMD8<Float>()
            var bp = b + d, wp0 = w0, wp1 = w1
            for _ in 0..<n {
                let b0 = VectorMath.load(bp)
                a0 = a0.addingProduct(SIMD8<Float>(repeating: wp0.pointee), b0)
                e0 = e0.addingProduct(SIMD8<Float>(repeating: wp1.pointee), b0)
                bp += ldb
                wp0 += w.colStride
                wp1 += w.colStride
            }
            put(a0, out + d, accumulate)
            if rows > 1 { put(e0, out1 + d, accumulate) }
            d += 8
        }
        while d < width {
            var s0: Float = 0, s1: Float = 0
            for j in 0..<n {
                s0 = s0.addingProduct(w0[j * w.colStride], b[j * ldb + d])
                s1 = s1.addingProduct(w1[j * w.colStride], b[j * ldb + d])
            }
            out[d] = accumulate ? out[d] + s0 : s0
            if rows > 1 { out1[d] = accumulate ? out1[d] + s1 : s1 }
            d += 1
        }
    }

    /// Stores v at p, or adds it to what p holds.
    @inline(__always)
    private static func put(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
        VectorMath.store(accumulate ? VectorMath.load(p) + v : v, to: p)
    }
}
