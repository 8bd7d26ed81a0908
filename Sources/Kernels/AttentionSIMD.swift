/// Causal attention for small head dims without sgemm: register-blocked SIMD tiles (`AttentionTiles`)
/// that only touch the keys each query row can see.
///
/// Per (sequence, KV head) unit the keys (forward) or values (backward) are transposed once into a
/// (HD, T') scratch (T' = T rounded up to 16), so the score tiles run eight keys per lane-vector; the
/// value mixing and all gradients are broadcast-multiply-adds over whole head rows, read from dense
/// (T, HD) copies of the head (strided rows of a fused q|k|v buffer would miss the TLB and L1).
enum AttentionSIMD {
    /// Same contract as `Attention.forward`.
    static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        keyMask: UnsafePointer<Float>, hiddenKeys: UnsafePointer<Int32>?, shape s: AttentionShape
    ) {
        let T = s.seqLen, HD = s.headDim, ldq = s.qStride, ldk = s.kvStride, ldo = s.outStride
        let Tp = paddedLength(T), rowsPerTile = AttentionTiles.tileRows
        forEachUnit(s, scratch: HD * Tp + T * HD + rowsPerTile * Tp) { b, kvh, scratch in
            let mask = keyMask + b * T
            let firstMasked = (0..<T).first { mask[$0] == 0 } ?? T
            let kT = scratch, vDense = kT + HD * Tp, scores = vDense + T * HD
            transpose(k + b * T * ldk + kvh * HD, rows: T, ld: ldk, width: HD, into: kT, paddedRows: Tp)
            gather(v + b * T * ldk + kvh * HD, rows: T, ld: ldk, width: HD, into: vDense)
            for h in kvh * s.group..<(kvh + 1) * s.group {
                let qbh = q + b * T * ldq + h * HD, obh = out + b * T * ldo + h * HD
                let p = att + (b * s.heads + h) * T * T
                for i0 in stride(from: 0, to: T, by: rowsPerTile) {
                    let i1 = min(i0 + rowsPerTile, T)
                    AttentionTiles.scoreTile(out: scores, ldo: Tp, a: qbh + i0 * ldq, lda: ldq, rows: i1 - i0,
                                             bT: kT, ldb: Tp, depth: HD, columns: i1, scale: s.scale)
                    for i in i0..<i1 {
                        Attention.hideKeys(scores + (i - i0) * Tp, i: i, row: b * T + i, hiddenKeys: hiddenKeys)
                        softmaxRow(into: p + i * T, scores: scores + (i - i0) * Tp, i: i, t: T, mask: mask,
                                   firstMasked: firstMasked)
                    }
                    for r in stride(from: i0, to: i1, by: 2) {
                        let rows = min(2, i1 - r)
                        AttentionTiles.weightedRows(out: obh + r * ldo, ldo: ldo, rows: rows, accumulate: false,
                                                    weights: .init(base: p + r * T, rowStride: T, colStride: 1),
                                                    count: r + rows, b: vDense, ldb: HD, width: HD)
                    }
                }
            }
        }
    }

    /// Same contract as `Attention.backward`.
    static func backward(
        dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, out: UnsafePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
        v: UnsafePointer<Float>, att: UnsafePointer<Float>, shape s: AttentionShape
    ) {
        let T = s.seqLen, HD = s.headDim, ldq = s.qStride, ldk = s.kvStride, ldo = s.outStride
        let Tp = paddedLength(T), rowsPerTile = AttentionTiles.tileRows
        forEachUnit(s, scratch: HD * Tp + 3 * T * HD + (Tp + rowsPerTile) * Tp) { b, kvh, scratch in
            let dkbh = dk + b * T * ldk + kvh * HD, dvbh = dv + b * T * ldk + kvh * HD
            // dS (T rounded up to the tile, T'): row i holds dS[i, 0...i] and a zero at i+1.
            let vT = scratch, kDense = vT + HD * Tp, qDense = kDense + T * HD, doDense = qDense + T * HD
            let ds = doDense + T * HD
            transpose(v + b * T * ldk + kvh * HD, rows: T, ld: ldk, width: HD, into: vT, paddedRows: Tp)
            gather(k + b * T * ldk + kvh * HD, rows: T, ld: ldk, width: HD, into: kDense)
            for h in kvh * s.group..<(kvh + 1) * s.group {
                gather(q + b * T * ldq + h * HD, rows: T, ld: ldq, width: HD, into: qDense)
                gather(dout + b * T * ldo + h * HD, rows: T, ld: ldo, width: HD, into: doDense)
                let dqbh = dq + b * T * ldq + h * HD, obh = out + b * T * ldo + h * HD
                let p = att + (b * s.heads + h) * T * T
                for i0 in stride(from: 0, to: T, by: rowsPerTile) {
                    let i1 = min(i0 + rowsPerTile, T)
                    // dP = dO · Vᵀ, then dS = P ⊙ (dP − rowsum(P ⊙ dP)) · scale with rowsum(P ⊙ dP) = dO·O.
                    AttentionTiles.scoreTile(out: ds + i0 * Tp, ldo: Tp, a: doDense + i0 * HD, lda: HD, rows: i1 - i0,
                                             bT: vT, ldb: Tp, depth: HD, columns: i1, scale: 1)
                    for i in i0..<i1 {
                        let rowDot = VectorMath.dot(doDense + i * HD, obh + i * ldo, count: HD)
                        // Whole vectors past i read P's zeros (within the row) and give dS zeros.
                        let n = min((i + VectorMath.width) / VectorMath.width * VectorMath.width, T)
                        Attention.softmaxBackwardRow(ds + i * Tp, probabilities: p + i * T, count: n, rowDot: rowDot, scale: s.scale)
                        ds[i * Tp + i + 1] = 0
                    }
                }
                let accumulate = h > kvh * s.group
                // dQ_i = Σ_{j≤i} dS[i,j]·K_j, then dK_j (+)= Σ_{i≥j} dS[i,j]·Q_i, then dV_j (+)= Σ_{i≥j} P[i,j]·dO_i:
                // one sweep per product, so each streams one 32 KB head-row block through L1 (interleaving
                // the three per row pair evicted them from each other: measured 15% slower).
                for r in stride(from: 0, to: T, by: 2) {
                    let rows = min(2, T - r)
                    AttentionTiles.weightedRows(out: dqbh + r * ldq, ldo: ldq, rows: rows, accumulate: false,
                                                weights: .init(base: ds + r * Tp, rowStride: Tp, colStride: 1),
                                                count: r + rows, b: kDense, ldb: HD, width: HD)
                }
                for r in stride(from: 0, to: T, by: 2) {
                    let rows = min(2, T - r)
                    AttentionTiles.weightedRows(out: dkbh + r * ldk, ldo: ldk, rows: rows, accumulate: accumulate,
                                                weights: .init(base: ds + r * Tp + r, rowStride: 1, colStride: Tp),
                                                count: T - r, b: qDense + r * HD, ldb: HD, width: HD)
                }
                for r in stride(from: 0, to: T, by: 2) {
                    let rows = min(2, T - r)
                    AttentionTiles.weightedRows(out: dvbh + r * ldk, ldo: ldk, rows: rows, accumulate: accumulate,
                                                weights: .init(base: p + r * T + r, rowStride: 1, colStride: T),
                                                count: T - r, b: doDense + r * HD, ldb: HD, width: HD)
                }
            }
        }
    }

    /// T rounded up to whole score tiles.
    private static func paddedLength(_ t: Int) -> Int {
        (t + AttentionTiles.tileColumns - 1) / AttentionTiles.tileColumns * AttentionTiles.tileColumns
    }

    /// Runs `body(b, kvHead, scratch)` for every (sequence, KV head) unit, spread over the threads; each
    /// thread allocates `scratch` floats once and hands them to all its units.
    private static func forEachUnit(
        _ s: AttentionShape, scratch count: Int, _ body: (Int, Int, UnsafeMutablePointer<Float>) -> Void
    ) {
        Parallel.forEachRange(count: s.batch * s.kvHeads, grain: 1) { units in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: count)
            defer { scratch.deallocate() }
            for u in units { body(u / s.kvHeads, u % s.kvHeads, scratch) }
        }
    }

    /// Writes the transpose of x (rows, width) (row stride ld) into t (width, paddedRows), zero-padded.
    private static func transpose(
        _ x: UnsafePointer<Float>, rows: Int, ld: Int, width: Int, into t: UnsafeMutablePointer<Float>, paddedRows: Int
    ) {
        for d in 0..<width {
            let row = t + d * paddedRows
            for j in 0..<rows { row[j] = x[j * ld + d] }
            (row + rows).update(repeating: 0, count: paddedRows - rows)
        }
    }

    /// Writes the rows of x (rows, width) (row stride ld) back to back into d (rows, width).
    private static func gather(
        _ x: UnsafePointer<Float>, rows: Int, ld: Int, width: Int, into d: UnsafeMutablePointer<Float>
    ) {
        for j in 0..<rows { VectorMath.copy(x + j * ld, to: d + j * width, count: width) }
    }

    /// Masked causal softmax of the scores of query i into its probability row: keys 0...i, then zeros up
    /// to ⌈(i+1)/8⌉·8 (at most T); the rest of the row is not written (nothing reads it).
    ///
    /// `scores` holds at least ⌈(i+1)/8⌉·8 floats; the ones after i are overwritten with −∞ so that whole
    /// vectors run to the end. Keys from `firstMasked` on are checked against the mask; a row with no visible
    /// key becomes zeros.
    private static func softmaxRow(
        into row: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>, i: Int, t T: Int,
        mask: UnsafePointer<Float>, firstMasked: Int
    ) {
        let width = VectorMath.width, n = (i + width) / width * width
        (scores + i + 1).update(repeating: -.infinity, count: n - i - 1)
        if i >= firstMasked {
            for j in firstMasked...i where mask[j] == 0 { scores[j] = -.infinity }
        }
        let maxv = VectorMath.maximum(scores, count: n)
        if maxv == -.infinity {
            row.update(repeating: 0, count: min(n, T))
            return
        }
        let inv = 1 / VectorMath.expShiftedInPlace(scores, count: n, shift: maxv)
        VectorMath.scale(scores, by: inv, into: row, count: min(n, T))
    }
}
