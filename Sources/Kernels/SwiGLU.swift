import Foundation

/// SwiGLU gate: `out = silu(gate) * up` with `silu(g) = g·σ(g)`.
public enum SwiGLU {
    /// out (N) from gate (N) and up (N).
    public static func forward(
        out: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, n: Int
    ) {
        for i in 0..<n {
            let g = gate[i]
            out[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// dgate (N), dup (N) from dout (N).
    public static func backward(
        dgate: UnsafeMutablePointer<Float>, dup: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, n: Int
    ) {
        for i in 0..<n {
            let g = gate[i]
            let s = 1 / (1 + expf(-g))
            let silu = g * s
            dup[i] = dout[i] * silu
            dgate[i] = dout[i] * up[i] * s * (1 + g * (1 - s))
        }
    }
}
