import CBLAS

/// Thin wrappers over OpenBLAS: thread control and row-major single-precision GEMM.
public enum BLAS {
    /// Sets the number of threads OpenBLAS uses for matrix products.
    public static func setThreadCount(_ n: Int) { openblas_set_num_threads(Int32(n)) }

    /// Number of threads OpenBLAS currently uses.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Row-major `C = alpha * op(A) * op(B) + beta * C` with `op(A)` (M,K), `op(B)` (K,N), `C` (M,N).
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    numericCast(m), numericCast(n), numericCast(k), alpha, a, numericCast(lda),
                    b, numericCast(ldb), beta, c, numericCast(ldc))
    }
}
