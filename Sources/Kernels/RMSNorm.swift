/// Root-mean-square layer norm (LLaMA): `y = x / sqrt(mean(x²) + eps) * w`.
public enum RMSNorm {
    /// out (N,C), rstd (N) from inp (N,C) and weight (C).
    public static func forward(
        out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, n: Int, c: Int, eps: Float
    ) {
        for i in 0..<n {
            let x = inp + i * c
            var ss: Float = 0
            for j in 0..<c { ss += x[j] * x[j] }
            let r = 1 / (ss / Float(c) + eps).squareRoot()
            rstd[i] = r
            let y = out + i * c
            for j in 0..<c { y[j] = x[j] * r * weight[j] }
        }
    }

    /// dinp (N,C) (+)= and dweight (C) += from dout (N,C), using the saved rstd (N).
    ///
    /// `accumulateInput` adds into `dinp` (the residual stream); a nil `dweight` skips the weight gradient.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        rstd: UnsafePointer<Float>, n: Int, c: Int, accumulateInput: Bool
    ) {
        for i in 0..<n {
            let x = inp + i * c
            let dy = dout + i * c
            let dx = dinp + i * c
            let r = rstd[i]
            var dot: Float = 0
            for j in 0..<c { dot += dy[j] * weight[j] * x[j] }
            let k = r * r * r * dot / Float(c)
            if accumulateInput {
                for j in 0..<c { dx[j] += r * weight[j] * dy[j] - k * x[j] }
            } else {
                for j in 0..<c { dx[j] = r * weight[j] * dy[j] - k * x[j] }
            }
            if let dweight {
                for j in 0..<c { dweight[j] += dy[j] * x[j] * r }
            }
        }
    }
}
