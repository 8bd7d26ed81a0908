/// Elementwise helpers for the residual stream.
public enum Residual {
    /// out (N) = a (N) + b (N).
    public static func forward(
        out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, n: Int
    ) {
        for i in 0..<n { out[i] = a[i] + b[i] }
    }

    /// y (N) += x (N).
    public static func accumulate(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, n: Int) {
        for i in 0..<n { y[i] += x[i] }
    }
}
