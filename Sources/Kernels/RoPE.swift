import Foundation

/// Rotary position embedding in the Hugging Face "rotate half" convention.
///
/// For a head vector x of size D and i < D/2, with angle a = pos · θ^(-2i/D):
/// `y[i] = x[i]·cos a − x[i+D/2]·sin a`, `y[i+D/2] = x[i+D/2]·cos a + x[i]·sin a`.
public enum RoPE {
    /// cos and sin tables (maxPositions, D/2), computed in Float as transformers does.
    public static func tables(maxPositions: Int, headDim: Int, theta: Float) -> (cos: [Float], sin: [Float]) {
        tables(maxPositions: maxPositions, inverseFrequencies: inverseFrequencies(headDim: headDim, theta: theta))
    }

    /// The default inverse frequencies θ^(-2i/D) for i < D/2, in Float as transformers computes them.
    public static func inverseFrequencies(headDim: Int, theta: Float) -> [Float] {
        (0..<headDim / 2).map { i in Float(1) / Foundation.pow(theta, Float(2 * i) / Float(headDim)) }
    }

    /// cos and sin tables (maxPositions, F) of the angles p·f for F inverse frequencies f (F = D/2).
    public static func tables(maxPositions: Int, inverseFrequencies invFreq: [Float]) -> (cos: [Float], sin: [Float]) {
        let half = invFreq.count
        var cosT = [Float](repeating: 0, count: maxPositions * half)
        var sinT = cosT
        for p in 0..<maxPositions {
            for i in 0..<half {
                let a = Float(p) * invFreq[i]
                cosT[p * half + i] = Foundation.cos(a)
                sinT[p * half + i] = Foundation.sin(a)
            }
        }
        return (cosT, sinT)
    }

    /// Rows per thread below which the loops stay on one thread.
    static let grain = 64

    /// Rotates the first `heads` head vectors (H,D) of each of the n rows of x in place; positions (N) index
    /// the tables (maxPositions, D/2). Row i starts at `x + i·rowStride` (default H·D, i.e. x is (N,H,D)).
    public static func forward(
        x: UnsafeMutablePointer<Float>, positions: UnsafePointer<Int32>,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, n: Int, heads: Int, headDim: Int, rowStride: Int? = nil
    ) {
        rotate(x: x, positions: positions, cos: cos, sin: sin, n: n, heads: heads, headDim: headDim,
               rowStride: rowStride ?? heads * headDim, sign: 1)
    }

    /// Turns dout into dinp in place (the transpose, i.e. the inverse rotation); rows as in `forward`.
    public static func backward(
        d: UnsafeMutablePointer<Float>, positions: UnsafePointer<Int32>,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, n: Int, heads: Int, headDim: Int, rowStride: Int? = nil
    ) {
        rotate(x: d, positions: positions, cos: cos, sin: sin, n: n, heads: heads, headDim: headDim,
               rowStride: rowStride ?? heads * headDim, sign: -1)
    }

    private static func rotate(
        x: UnsafeMutablePointer<Float>, positions: UnsafePointer<Int32>, cos: UnsafePointer<Float>,
        sin: UnsafePointer<Float>, n: Int, heads: Int, headDim: Int, rowStride: Int, sign: Float
    ) {
        let half = headDim / 2
        Parallel.forEachRange(count: n, grain: grain) { rows in
            for i in rows {
                let c = cos + Int(positions[i]) * half
                let s = sin + Int(positions[i]) * half
                for h in 0..<heads {
                    let v = x + i * rowStride + h * headDim
                    for j in 0..<half {
                        let a = v[j], b = v[j + half]
                        let sj = sign * s[j]
                        v[j] = a * c[j] - b * sj
                        v[j + half] = b * c[j] + a * sj
                    }
                }
            }
        }
    }
}
