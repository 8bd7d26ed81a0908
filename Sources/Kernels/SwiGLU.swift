/// SwiGLU gate: `out = silu(gate) * up` with `silu(g) = g·σ(g)`.
public enum SwiGLU {
    /// Elements per thread below which the loops stay on one thread.
    static let grain = 16_384

    /// out (N) from gate (N) and up (N).
    public static func forward(
        out: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, n: Int
    ) {
        Parallel.forEachRange(count: n, grain: grain) { range in
            var i = range.lowerBound
            while i + VectorMath.width <= range.upperBound {
                let g = VectorMath.load(gate + i)
                let s = 1 / (1 + VectorMath.exp(-g))
                VectorMath.store(g * s * VectorMath.load(up + i), to: out + i)
                i += VectorMath.width
            }
            while i < range.upperBound {
                let g = gate[i]
                out[i] = g / (1 + VectorMath.exp(-g)) * up[i]
                i += 1
            }
        }
    }

    /// dgate (N), dup (N) from dout (N).
    public static func backward(
        dgate: UnsafeMutablePointer<Float>, dup: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, n: Int
    ) {
        Parallel.forEachRange(count: n, grain: grain) { range in
            var i = range.lowerBound
            while i + VectorMath.width <= range.upperBound {
                let g = VectorMath.load(gate + i), d = VectorMath.load(dout + i)
                let s = 1 / (1 + VectorMath.exp(-g))
                VectorMath.store(d * g * s, to: dup + i)
                VectorMath.store(d * VectorMath.load(up + i) * s * (1 + g * (1 - s)), to: dgate + i)
                i += VectorMath.width
            }
            while i < range.upperBound {
                let g = gate[i]
                let s = 1 / (1 + VectorMath.exp(-g))
                dup[i] = dout[i] * g * s
                dgate[i] = dout[i] * up[i] * s * (1 + g * (1 - s))
                i += 1
            }
        }
    }
}
