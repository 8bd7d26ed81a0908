import CBLAS

/// Thin wrappers over OpenBLAS: thread control and row-major single-precision GEMM.
///
/// OpenBLAS itself runs on one thread; `sgemm` splits large products into one slice per
/// `Parallel` thread instead. Then the same threads run the elementwise kernels, and no idle
/// OpenBLAS worker spins against them between products.
public enum BLAS {
    /// Products with fewer multiply-adds than this stay on one thread (a half then takes under ~10 µs).
    static let parallelThreshold = 1 << 19

    /// Sets the number of threads for matrix products and for the other kernels.
    public static func setThreadCount(_ n: Int) {
        openblas_set_num_threads(1)
        Parallel.threadCount = max(1, n)
    }

    /// Number of threads the kernels and matrix products use.
    public static var threadCount: Int { Parallel.threadCount }

    /// Row-major `C = alpha * op(A) * op(B) + beta * C` with `op(A)` (M,K), `op(B)` (K,N), `C` (M,N).
    ///
    /// Large products are cut into row slices of C, one per thread, or into column slices when C is wide
    /// (N > 4·M, e.g. the LM head over a chunk of rows, or any product in token-by-token decoding): then each
    /// thread streams only its share of op(B) instead of all of it.
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard Parallel.threadCount > 1, m * n * k >= parallelThreshold else {
            serialSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        if 4 * m >= n && m >= 8 * Parallel.threadCount {
            Parallel.forEachRange(count: m, grain: 8) { rows in
                let aSlice = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
                serialSgemm(transA: transA, transB: transB, m: rows.count, n: n, k: k, alpha: alpha, a: aSlice,
                            lda: lda, b: b, ldb: ldb, beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
            }
        } else {
            Parallel.forEachRange(count: n, grain: 8) { cols in
                let bSlice = transB ? b + cols.lowerBound * ldb : b + cols.lowerBound
                serialSgemm(transA: transA, transB: transB, m: m, n: cols.count, k: k, alpha: alpha, a: a,
                            lda: lda, b: bSlice, ldb: ldb, beta: beta, c: c + cols.lowerBound, ldc: ldc)
            }
        }
    }

    /// The OpenBLAS kernel set chosen for this CPU (e.g. "Cooperlake", "Haswell").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// What runs the matrix products and the vector kernels here, for benchmark output.
    public static var pathDescription: String {
        "OpenBLAS sgemm (\(coreName) kernels), \(CPUFeatures.current.summary)"
    }

    /// Runs `body` with OpenBLAS's own threading on `threadCount` threads; plain-BLAS baselines use it.
    public static func withOpenBLASThreading<R>(_ body: () throws -> R) rethrows -> R {
        openblas_set_num_threads(Int32(threadCount))
        defer { openblas_set_num_threads(1) }
        return try body()
    }

    /// `sgemm` on the calling thread only; for callers that are already spread over threads.
    public static func serialSgemm(
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
