/// The low-rank update of a LoRA adapter on a linear layer: `out += scale · (inp · Aᵀ) · Bᵀ`, through BLAS.
///
/// A is (R,C) and B is (OC,R) as PEFT stores `lora_A.weight` and `lora_B.weight`. The output may be a column
/// block of a wider fused product (row stride `outStride`), e.g. the q part of a q|k|v row.
public enum LowRank {
    /// u (N,R) = inp (N,C) · Aᵀ; out (N,OC; row stride outStride) += scale · u · Bᵀ.
    ///
    /// - Complexity: O(N·R·(C + OC)).
    public static func forward(
        out: UnsafeMutablePointer<Float>, outStride: Int, u: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, n: Int, c: Int, rank r: Int, oc: Int, scale: Float
    ) {
        BLAS.sgemm(transA: false, transB: true, m: n, n: r, k: c, a: inp, lda: c, b: a, ldb: c, beta: 0, c: u, ldc: r)
        BLAS.sgemm(transA: false, transB: true, m: n, n: oc, k: r, alpha: scale, a: u, lda: r, b: b, ldb: r,
                   beta: 1, c: out, ldc: outStride)
    }

    /// Backward of `forward`, given the saved u (N,R) and dout (N,OC; row stride doutStride):
    /// du (N,R) = scale · dout · B; dinp (N,C) += du · A; and, when the adapter trains,
    /// dB (OC,R) += scale · doutᵀ · u and dA (R,C) += duᵀ · inp.
    ///
    /// `du` is scratch of N·R floats. A nil `dinp` skips the input gradient.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>?, da: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?,
        du: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, doutStride: Int, u: UnsafePointer<Float>,
        inp: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        n: Int, c: Int, rank r: Int, oc: Int, scale: Float
    ) {
        if let db {
            BLAS.sgemm(transA: true, transB: false, m: oc, n: r, k: n, alpha: scale, a: dout, lda: doutStride,
                       b: u, ldb: r, beta: 1, c: db, ldc: r) // (OC,R)
        }
        BLAS.sgemm(transA: false, transB: false, m: n, n: r, k: oc, alpha: scale, a: dout, lda: doutStride,
                   b: b, ldb: r, beta: 0, c: du, ldc: r) // (N,R)
        if let da {
            BLAS.sgemm(transA: true, transB: false, m: r, n: c, k: n, a: du, lda: r, b: inp, ldb: c,
                       beta: 1, c: da, ldc: c) // (R,C)
        }
        if let dinp {
            BLAS.sgemm(transA: false, transB: false, m: n, n: c, k: r, a: du, lda: r, b: a, ldb: c,
                       beta: 1, c: dinp, ldc: c) // (N,C)
        }
    }

    /// weight (OC,C) += scale · B (OC,R) · A (R,C): folds the adapter into W (a negative scale takes it out).
    public static func merge(
        weight: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        c: Int, rank r: Int, oc: Int, scale: Float
    ) {
        BLAS.sgemm(transA: false, transB: false, m: oc, n: c, k: r, alpha: scale, a: b, lda: r, b: a, ldb: c,
                   beta: 1, c: weight, ldc: c)
    }
}
