import Foundation

/// Row-wise log-softmax, token log-probs, entropy and masked cross-entropy on logits (N,V).
///
/// Rows are split over `Parallel.threadCount` threads; exponentials use `VectorMath.exp`.
public enum Softmax {
    /// Rows per thread below which the loops stay on one thread.
    static let grain = 64

    /// logp (N,V) = log_softmax(logits (N,V)) row by row.
    public static func logSoftmax(out: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, n: Int, v: Int) {
        Parallel.forEachRange(count: n, grain: grain) { rows in
            for i in rows {
                let row = logits + i * v
                let lse = logSumExp(row, v)
                let o = out + i * v
                for j in 0..<v { o[j] = row[j] - lse }
            }
        }
    }

    /// x (N) *= factor in place (e.g. logits divided by a sampling temperature).
    public static func scale(_ x: UnsafeMutablePointer<Float>, count n: Int, by factor: Float) {
        VectorMath.scale(x, by: factor, into: x, count: n)
    }

    /// log(Σ exp(row)) for one row of length v, max-shifted.
    public static func logSumExp(_ row: UnsafePointer<Float>, _ v: Int) -> Float {
        let m = VectorMath.maximum(row, count: v)
        return m + logf(VectorMath.sumExpShifted(row, count: v, shift: m))
    }

    /// out (N) = log p(tokens[i] | logits row i) for logits (N,V).
    public static func tokenLogProbs(
        out: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, n: Int, v: Int
    ) {
        Parallel.forEachRange(count: n, grain: grain) { rows in
            for i in rows {
                let row = logits + i * v
                out[i] = row[Int(tokens[i])] - logSumExp(row, v)
            }
        }
    }

    /// dlogits (N,V) (+)= dlogp (N) · (onehot(tokens) − softmax(logits)), the backward of `tokenLogProbs`.
    public static func tokenLogProbsBackward(
        dlogits: UnsafeMutablePointer<Float>, dlogp: UnsafePointer<Float>, logits: UnsafePointer<Float>,
        tokens: UnsafePointer<Int32>, n: Int, v: Int, accumulate: Bool
    ) {
        Parallel.forEachRange(count: n, grain: grain) { rows in
            for i in rows {
                let row = logits + i * v, d = dlogits + i * v
                let g = dlogp[i]
                if !accumulate { d.update(repeating: 0, count: v) }
                if g == 0 { continue }
                let lse = logSumExp(row, v)
                for j in 0..<v { d[j] -= g * VectorMath.exp(row[j] - lse) }
                d[Int(tokens[i])] += g
            }
        }
    }

    /// out (N) = entropy −Σ p log p of softmax(logits (N,V)) per row.
    public static func entropy(out: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, n: Int, v: Int) {
        Parallel.forEachRange(count: n, grain: grain) { rows in
            for i in rows { out[i] = rowEntropy(logits + i * v, v: v, lse: logSumExp(logits + i * v, v)) }
        }
    }

    /// −Σ p log p of one row with its log-sum-exp.
    static func rowEntropy(_ row: UnsafePointer<Float>, v: Int, lse: Float) -> Float {
        var h: Float = 0
        for j in 0..<v {
            let lp = row[j] - lse
            h -= VectorMath.exp(lp) * lp
        }
        return h
    }

    /// dlogits (N,V) (+)= dH (N) · ∂H/∂logits, where ∂H/∂z_j = −p_j (log p_j + H).
    public static func entropyBackward(
        dlogits: UnsafeMutablePointer<Float>, dentropy: UnsafePointer<Float>, logits: UnsafePointer<Float>,
        n: Int, v: Int, accumulate: Bool
    ) {
        Parallel.forEachRange(count: n, grain: grain) { rows in
            for i in rows {
                let row = logits + i * v, d = dlogits + i * v
                if !accumulate { d.update(repeating: 0, count: v) }
                let g = dentropy[i]
                if g == 0 { continue }
                let lse = logSumExp(row, v)
                let h = rowEntropy(row, v: v, lse: lse)
                for j in 0..<v {
                    let lp = row[j] - lse
                    d[j] -= g * VectorMath.exp(lp) * (lp + h)
                }
            }
        }
    }

    /// Weighted cross-entropy Σ w_i·(−log p(target_i)) / normalizer over logits (N,V), returned in Double,
    /// with dlogits (N,V) = w_i/normalizer · (softmax − onehot). Rows with weight 0 get zero gradient and
    /// their target is not read. `dlogits` may be `logits` itself (the gradient overwrites the logits).
    public static func crossEntropy(
        dlogits: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
        weights: UnsafePointer<Float>, n: Int, v: Int, normalizer: Float
    ) -> Double {
        let partials = Parallel.mapRanges(count: n, grain: grain) { rows -> Double in
            var loss: Double = 0
            for i in rows {
                let row = logits + i * v, d = dlogits + i * v
                let w = weights[i]
                if w == 0 {
                    d.update(repeating: 0, count: v)
                    continue
                }
                let m = VectorMath.maximum(row, count: v)
                let t = Int(targets[i]), target = row[t]
                if UnsafePointer(d) != row { d.update(from: row, count: v) }
                let sum = VectorMath.expShiftedInPlace(d, count: v, shift: m)
                loss += Double(w) * Double(m + logf(sum) - target)
                let scale = w / (normalizer * sum)
                for j in 0..<v { d[j] *= scale }
                d[t] -= w / normalizer
            }
            return loss
        }
        return partials.reduce(0, +) / Double(normalizer)
    }
}
