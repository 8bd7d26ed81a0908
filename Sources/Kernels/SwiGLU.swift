/// SwiGLU gate: `out = silu(gate) * up` with `silu(g) = g·σ(g)`, row by row.
///
/// Row r of gate and up starts at `r·inputStride` (default `width`), so both can live in one fused
/// (gate|up) row per token; out and dout are dense (rows, width).
public enum SwiGLU {
    /// Elements per thread below which the loops stay on one thread.
    static let grain = 16_384

    /// out (rows,width) from gate and up (rows,width), each row `inputStride` apart.
    public static func forward(
        out: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
        rows: Int, width: Int, inputStride: Int? = nil
    ) {
        let ld = inputStride ?? width
        Parallel.forEachRange(count: rows, grain: max(1, grain / max(width, 1))) { range in
            for r in range {
                let g = gate + r * ld, u = up + r * ld, o = out + r * width
                var i = 0
                while i + VectorMath.width <= width {
                    let x = VectorMath.load(g + i)
                    let s = 1 / (1 + VectorMath.exp(-x))
                    VectorMath.store(x * s * VectorMath.load(u + i), to: o + i)
                    i += VectorMath.width
                }
                while i < width {
                    o[i] = g[i] / (1 + VectorMath.exp(-g[i])) * u[i]
                    i += 1
                }
            }
        }
    }

    /// dgate, dup (rows,width; stride `inputStride` like gate and up) = from dout (rows,width).
    public static func backward(
        dgate: UnsafeMutablePointer<Float>, dup: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
        rows: Int, width: Int, inputStride: Int? = nil
    ) {
        let ld = inputStride ?? width
        Parallel.forEachRange(count: rows, grain: max(1, grain / max(width, 1))) { range in
            for r in range {
                let g = gate + r * ld, u = up + r * ld, d = dout + r * width
                let dg = dgate + r * ld, du = dup + r * ld
                var i = 0
                while i + VectorMath.width <= width {
                    let x = VectorMath.load(g + i), dy = VectorMath.load(d + i)
                    let s = 1 / (1 + VectorMath.exp(-x))
                    VectorMath.store(dy * x * s, to: du + i)
                    VectorMath.store(dy * VectorMath.load(u + i) * s * (1 + x * (1 - s)), to: dg + i)
                    i += VectorMath.width
                }
                while i < width {
                    let s = 1 / (1 + VectorMath.exp(-g[i]))
                    du[i] = d[i] * g[i] * s
                    dg[i] = d[i] * u[i] * s * (1 + g[i] * (1 - s))
                    i += 1
                }
            }
        }
    }
}
