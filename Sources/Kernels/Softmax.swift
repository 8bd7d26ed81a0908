import Foundation

/// Row-wise log-softmax, token log-probs, entropy and masked cross-entropy on logits (N,V).
public enum Softmax {
    /// logp (N,V) = log_softmax(logits (N,V)) row by row.
    public static func logSoftmax(out: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, n: Int, v: Int) {
        for i in 0..<n {
            let row = logits + i * v
            let lse = logSumExp(row, v)
            let o = out + i * v
            for j in 0..<v { o[j] = row[j] - lse }
        }
    }

    /// log(Σ exp(row)) for one row of length v, max-shifted.
    public static func logSumExp(_ row: UnsafePointer<Float>, _ v: Int) -> Float {
        var m = -Float.infinity
        for j in 0..<v { m = max(m, row[j]) }
        var s: Float = 0
        for j in 0..<v { s += expf(row[j] - m) }
        return m + logf(s)
    }

    /// out (N) = log p(tokens[i] | logits row i) for logits (N,V).
    public static func tokenLogProbs(
        out: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, n: Int, v: Int
    ) {
        for i in 0..<n {
            let row = logits + i * v
            out[i] = row[Int(tokens[i])] - logSumExp(row, v)
        }
    }

    /// dlogits (N,V) (+)= dlogp (N) · (onehot(tokens) − softmax(logits)), the backward of `tokenLogProbs`.
    public static func tokenLogProbsBackward(
        dlogits: UnsafeMutablePointer<Float>, dlogp: UnsafePointer<Float>, logits: UnsafePointer<Float>,
        tokens: UnsafePointer<Int32>, n: Int, v: Int, accumulate: Bool
    ) {
        for i in 0..<n {
            let row = logits + i * v, d = dlogits + i * v
            let g = dlogp[i]
            if !accumulate { d.update(repeating: 0, count: v) }
            if g == 0 { continue }
            let lse = logSumExp(row, v)
            for j in 0..<v { d[j] -= g * expf(row[j] - lse) }
            d[Int(tokens[i])] += g
        }
    }

    /// out (N) = entropy −Σ p log p of softmax(logits (N,V)) per row.
    public static func entropy(out: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, n: Int, v: Int) {
        for i in 0..<n {
            let row = logits + i * v
            let lse = logSumExp(row, v)
            var h: Float = 0
            for j in 0..<v {
                let lp = row[j] - lse
                h -= expf(lp) * lp
            }
            out[i] = h
        }
    }

    /// dlogits (N,V) (+)= dH (N) · ∂H/∂logits, where ∂H/∂z_j = −p_j (log p_j + H).
    public static func entropyBackward(
        dlogits: UnsafeMutablePointer<Float>, dentropy: UnsafePointer<Float>, logits: UnsafePointer<Float>,
        n: Int, v: Int, accumulate: Bool
    ) {
        for i in 0..<n {
            let row = logits + i * v, d = dlogits + i * v
            if !accumulate { d.update(repeating: 0, count: v) }
            let g = dentropy[i]
            if g == 0 { continue }
            let lse = logSumExp(row, v)
            var h: Float = 0
            for j in 0..<v {
                let lp = row[j] - lse
                h -= expf(lp) * lp
            }
            for j in 0..<v {
                let lp = row[j] - lse
                d[j] -= g * expf(lp) * (lp + h)
            }
        }
    }

    /// Weighted cross-entropy Σ w_i·(−log p(target_i)) / normalizer over logits (N,V), returned in Double,
    /// with dlogits (N,V) = w_i/normalizer · (softmax − onehot). Rows with weight 0 get zero gradient and
    /// their target is not read.
    public static func crossEntropy(
        dlogits: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
        weights: UnsafePointer<Float>, n: Int, v: Int, normalizer: Float
    ) -> Double {
        var loss: Double = 0
        for i in 0..<n {
            let row = logits + i * v, d = dlogits + i * v
            let w = weights[i]
            if w == 0 {
                d.update(repeating: 0, count: v)
                continue
            }
            let lse = logSumExp(row, v)
            let t = Int(targets[i])
            loss += Double(w) * Double(lse - row[t])
            let scale = w / normalizer
            for j in 0..<v { d[j] = scale * expf(row[j] - lse) }
            d[t] -= scale
        }
        return loss / Double(normalizer)
    }
}
