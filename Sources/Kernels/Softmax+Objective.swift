import Foundation

extension Softmax {
    /// Per row of logits (N,V): lse (N) = log Σ exp(row), logp (N) = row[tokens[i]] − lse and, when `entropy` is
    /// given, H (N) = −Σ p log p. The forward half of a per-token objective on a chunk of head rows.
    public static func tokenStatistics(
        lse: UnsafeMutablePointer<Float>, logp: UnsafeMutablePointer<Float>, entropy: UnsafeMutablePointer<Float>?,
        logits: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, n: Int, v: Int
    ) {
        Parallel.forEachRange(count: n, grain: grain) { rows in
            for i in rows {
                let row = logits + i * v
                let s = logSumExp(row, v)
                lse[i] = s
                logp[i] = row[Int(tokens[i])] - s
                if let entropy { entropy[i] = rowEntropy(row, v: v, lse: s) }
            }
        }
    }

    /// Overwrites logits (N,V) with the gradient of Σᵢ gᵢ·log p(tokensᵢ) + hᵢ·Hᵢ with respect to them:
    /// d_j = gᵢ·(onehot_j − p_j) − hᵢ·p_j·(log p_j + Hᵢ), from the row statistics of `tokenStatistics`.
    /// `dEntropy` nil means h = 0 (and `entropy` is then not read).
    public static func tokenObjectiveBackwardInPlace(
        _ x: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, lse: UnsafePointer<Float>,
        entropy: UnsafePointer<Float>?, dLogProbs: UnsafePointer<Float>, dEntropy: UnsafePointer<Float>?, n: Int, v: Int
    ) {
        Parallel.forEachRange(count: n, grain: grain) { rows in
            for i in rows {
                let d = x + i * v
                let g = dLogProbs[i], h = dEntropy?[i] ?? 0, s = lse[i]
                if g == 0 && h == 0 {
                    d.update(repeating: 0, count: v)
                    continue
                }
                if h == 0 {
                    for j in 0..<v { d[j] = -g * VectorMath.exp(d[j] - s) }
                } else {
                    let big = entropy![i]
                    for j in 0..<v {
                        let lp = d[j] - s
                        let p = VectorMath.exp(lp)
                        d[j] = -g * p - h * p * (lp + big)
                    }
                }
                d[Int(tokens[i])] += g
            }
        }
    }
}
