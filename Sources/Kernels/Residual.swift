/// Elementwise helpers for the residual stream.
public enum Residual {
    /// Elements per thread below which the loops stay on one thread.
    static let grain = 32_768

    /// out (N) = a (N) + b (N).
    public static func forward(
        out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, n: Int
    ) {
        Parallel.forEachRange(count: n, grain: grain) { range in
            for i in range { out[i] = a[i] + b[i] }
        }
    }

    /// y (N) += x (N).
    public static func accumulate(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, n: Int) {
        Parallel.forEachRange(count: n, grain: grain) { range in
            for i in range { y[i] += x[i] }
        }
    }
}
