/// Linear layer without bias: `out = inp · Wᵀ`, the layout of `torch.nn.Linear`.
public enum Matmul {
    /// out (N,OC) (+)= inp (N,C) · weight (OC,C)ᵀ.
    ///
    /// `accumulate` adds into `out` (e.g. onto a residual stream copied there) instead of overwriting.
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        n: Int, c: Int, oc: Int, accumulate: Bool = false
    ) {
        BLAS.sgemm(transA: false, transB: true, m: n, n: oc, k: c,
                   a: inp, lda: c, b: weight, ldb: c, beta: accumulate ? 1 : 0, c: out, ldc: oc)
    }

    /// dinp (N,C) (+)= dout (N,OC) · weight (OC,C); dweight (OC,C) += dout ᵀ · inp.
    ///
    /// `accumulateInput` adds into `dinp` instead of overwriting; a nil `dweight` skips the weight
    /// gradient (frozen weight), a nil `dinp` skips the input gradient. On exactly two threads the two
    /// products (equal work) run side by side, one whole product per thread, instead of each being cut in
    /// half: one hand-off instead of two, and no operand packed twice.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        n: Int, c: Int, oc: Int, accumulateInput: Bool = false
    ) {
        if let dinp, let dweight, Parallel.threadCount == 2, n * c * oc >= BLAS.parallelThreshold {
            Parallel.both({
                BLAS.serialSgemm(transA: false, transB: false, m: n, n: c, k: oc, a: dout, lda: oc, b: weight, ldb: c,
                                 beta: accumulateInput ? 1 : 0, c: dinp, ldc: c)
            }, {
                BLAS.serialSgemm(transA: true, transB: false, m: oc, n: c, k: n, a: dout, lda: oc, b: inp, ldb: c,
                                 beta: 1, c: dweight, ldc: c)
            })
            return
        }
        if let dinp {
            BLAS.sgemm(transA: false, transB: false, m: n, n: c, k: oc,
                       a: dout, lda: oc, b: weight, ldb: c, beta: accumulateInput ? 1 : 0, c: dinp, ldc: c)
        }
        if let dweight {
            weightGradient(dweight: dweight, dout: dout, doutStride: oc, inp: inp, n: n, c: c, oc: oc)
        }
    }

    /// dweight (OC,C) += doutᵀ · inp (N,C), where row i of dout (N,OC) starts at `dout + i·doutStride`
    /// (so dout can be a column block of a fused gradient).
    public static func weightGradient(
        dweight: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, doutStride: Int,
        inp: UnsafePointer<Float>, n: Int, c: Int, oc: Int
    ) {
        BLAS.sgemm(transA: true, transB: false, m: oc, n: c, k: n,
                   a: dout, lda: doutStride, b: inp, ldb: c, beta: 1, c: dweight, ldc: c)
    }
}
