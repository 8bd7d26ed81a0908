/// Root-mean-square layer norm (LLaMA): `y = x / sqrt(mean(x²) + eps) * w`.
///
/// Rows are split over `Parallel.threadCount` threads.
public enum RMSNorm {
    /// Rows per thread below which the loops stay on one thread.
    static let grain = 128

    /// out (N,C), rstd (N) from inp (N,C) and weight (C).
    public static func forward(
        out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, n: Int, c: Int, eps: Float
    ) {
        Parallel.forEachRange(count: n, grain: grain) { rows in
            for i in rows {
                let x = inp + i * c
                let r = 1 / (VectorMath.dot(x, x, count: c) / Float(c) + eps).squareRoot()
                rstd[i] = r
                let y = out + i * c
                for j in 0..<c { y[j] = x[j] * r * weight[j] }
            }
        }
    }

    /// dinp (N,C) (+)= and dweight (C) += from dout (N,C), using the saved rstd (N).
    ///
    /// `accumulateInput` adds into `dinp` (the residual stream); a nil `dweight` skips the weight gradient.
    /// Each thread sums its rows' weight gradient separately; the partials are added in row order.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        rstd: UnsafePointer<Float>, n: Int, c: Int, accumulateInput: Bool
    ) {
        let wantsWeight = dweight != nil
        let partials = Parallel.mapRanges(count: n, grain: grain) { rows -> [Float] in
            var dw = [Float](repeating: 0, count: wantsWeight ? c : 0)
            dw.withUnsafeMutableBufferPointer { dwp in
                for i in rows {
                    let x = inp + i * c, dy = dout + i * c, dx = dinp + i * c
                    let r = rstd[i]
                    let k = r * r * r * weightedDot(dy, weight, x, count: c) / Float(c)
                    if accumulateInput {
                        for j in 0..<c { dx[j] += r * weight[j] * dy[j] - k * x[j] }
                    } else {
                        for j in 0..<c { dx[j] = r * weight[j] * dy[j] - k * x[j] }
                    }
                    // Test the flag, not baseAddress: an empty array may still have one.
                    if wantsWeight {
                        for j in 0..<c { dwp[j] += dy[j] * x[j] * r }
                    }
                }
            }
            return dw
        }
        guard let dweight else { return }
        for dw in partials { for j in 0..<c { dweight[j] += dw[j] } }
    }

    /// Σ a[j]·b[j]·c[j] over `count` floats, eight lanes at a time (a scalar float sum does not vectorise).
    @inline(__always)
    private static func weightedDot(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>, count n: Int
    ) -> Float {
        var acc = SIMD8<Float>()
        var j = 0
        while j + VectorMath.width <= n {
            acc += VectorMath.load(a + j) * VectorMath.load(b + j) * VectorMath.load(c + j)
            j += VectorMath.width
        }
        var s = acc.sum()
        while j < n {
            s += a[j] * b[j] * c[j]
            j += 1
        }
        return s
    }
}
