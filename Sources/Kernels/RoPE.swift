import Foundation

/// Rotary position embedding in the Hugging Face "rotate half" convention.
///
/// For a head vector x of size D and i < D/2, with angle a = pos · θ^(-2i/D):
/// `y[i] = x[i]·cos a − x[i+D/2]·sin a`, `y[i+D/2] = x[i+D/2]·cos a + x[i]·sin a`.
public enum RoPE {
    /// cos and sin tables (maxPositions, D/2), computed in Float as transformers does.
    public static func tables(maxPositions: Int, headDim: Int, theta: Float) -> (cos: [Float], sin: [Float]) {
        let half = headDim / 2
        let invFreq = (0..<half).map { i in Float(1) / Foundation.pow(theta, Float(2 * i) / Float(headDim)) }
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

    /// Rotates x (N,H,D) in place; positions (N) index the tables (maxPositions, D/2).
    public static func forward(
        x: UnsafeMutablePointer<Float>, positions: UnsafePointer<Int32>,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, n: Int, heads: Int, headDim: Int
    ) {
        rotate(x: x, positions: positions, cos: cos, sin: sin, n: n, heads: heads, headDim: headDim, sign: 1)
    }

    /// Turns dout into dinp in place (the transpose, i.e. the inverse rotation), d (N,H,D).
    public static func backward(
        d: UnsafeMutablePointer<Float>, positions: UnsafePointer<Int32>,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, n: Int, heads: Int, headDim: Int
    ) {
        rotate(x: d, positions: positions, cos: cos, sin: sin, n: n, heads: heads, headDim: headDim, sign: -1)
    }

    private static func rotate(
        x: UnsafeMutablePointer<Float>, positions: UnsafePointer<Int32>,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, n: Int, heads: Int, headDim: Int, sign: Float
    ) {
        let half = headDim / 2
        for i in 0..<n {
            let c = cos + Int(positions[i]) * half
            let s = sin + Int(positions[i]) * half
            for h in 0..<heads {
                let v = x + (i * heads + h) * headDim
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
