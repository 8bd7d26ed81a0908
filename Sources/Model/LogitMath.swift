import Kernels

/// Loss and probability helpers on logits (N,V) for writing SFT, reward and PPO objectives outside the model.
public enum LogitMath {
    /// Weighted cross-entropy Σ wᵢ·(−log p(targetᵢ)) / normalizer and its gradient dLogits (N,V).
    ///
    /// `normalizer` defaults to Σ w (mean over weighted tokens); pass a fixed value (e.g. total weight of
    /// all micro-batches) for gradient accumulation. Throws `nonFiniteLoss` on NaN/∞.
    public static func maskedCrossEntropy(
        logits: [Float], targets: [Int32], weights: [Float], vocabSize V: Int, normalizer: Float? = nil
    ) throws -> (loss: Double, dLogits: [Float]) {
        let n = targets.count
        try check(logits.count, n * V, "logits (N,V)")
        try check(weights.count, n, "weights (N)")
        for (i, t) in targets.enumerated() where weights[i] != 0 && (t < 0 || Int(t) >= V) {
            throw ModelError.tokenOutOfRange(token: t, vocabSize: V)
        }
        let norm = normalizer ?? max(weights.reduce(0, +), 1e-8)
        var d = [Float](repeating: 0, count: logits.count)
        let loss = logits.withUnsafeBufferPointer { l in
            targets.withUnsafeBufferPointer { t in
                weights.withUnsafeBufferPointer { w in
                    d.withUnsafeMutableBufferPointer { dp in
                        Softmax.crossEntropy(dlogits: dp.baseAddress!, logits: l.baseAddress!, targets: t.baseAddress!,
                                             weights: w.baseAddress!, n: n, v: V, normalizer: norm)
                    }
                }
            }
        }
        guard loss.isFinite else { throw ModelError.nonFiniteLoss(value: loss) }
        return (loss, d)
    }

    /// Row-wise log-softmax of logits (N,V).
    public static func logSoftmax(logits: [Float], vocabSize V: Int) -> [Float] {
        var out = [Float](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { l in
            out.withUnsafeMutableBufferPointer {
                Softmax.logSoftmax(out: $0.baseAddress!, logits: l.baseAddress!, n: logits.count / V, v: V)
            }
        }
        return out
    }

    /// log p(tokens[i]) under row i of logits (N,V).
    public static func tokenLogProbs(logits: [Float], tokens: [Int32], vocabSize V: Int) throws -> [Float] {
        try check(logits.count, tokens.count * V, "logits (N,V)")
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= V }) { throw ModelError.tokenOutOfRange(token: bad, vocabSize: V) }
        var out = [Float](repeating: 0, count: tokens.count)
        logits.withUnsafeBufferPointer { l in
            tokens.withUnsafeBufferPointer { t in
                out.withUnsafeMutableBufferPointer {
                    Softmax.tokenLogProbs(out: $0.baseAddress!, logits: l.baseAddress!, tokens: t.baseAddress!,
                                          n: tokens.count, v: V)
                }
            }
        }
        return out
    }

    /// dLogits (N,V) of a loss given its gradient dLogProbs (N) with respect to `tokenLogProbs`.
    public static func tokenLogProbsBackward(
        logits: [Float], tokens: [Int32], dLogProbs: [Float], vocabSize V: Int
    ) throws -> [Float] {
        try check(logits.count, tokens.count * V, "logits (N,V)")
        try check(dLogProbs.count, tokens.count, "dLogProbs (N)")
        var d = [Float](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { l in
            tokens.withUnsafeBufferPointer { t in
                dLogProbs.withUnsafeBufferPointer { g in
                    d.withUnsafeMutableBufferPointer {
                        Softmax.tokenLogProbsBackward(dlogits: $0.baseAddress!, dlogp: g.baseAddress!, logits: l.baseAddress!,
                                                      tokens: t.baseAddress!, n: tokens.count, v: V, accumulate: false)
                    }
                }
            }
        }
        return d
    }

    /// Entropy of softmax(row) for each row of logits (N,V).
    public static func entropy(logits: [Float], vocabSize V: Int) -> [Float] {
        let n = logits.count / V
        var out = [Float](repeating: 0, count: n)
        logits.withUnsafeBufferPointer { l in
            out.withUnsafeMutableBufferPointer { Softmax.entropy(out: $0.baseAddress!, logits: l.baseAddress!, n: n, v: V) }
        }
        return out
    }

    /// dLogits (N,V) of a loss given its gradient dEntropy (N) with respect to `entropy`.
    public static func entropyBackward(logits: [Float], dEntropy: [Float], vocabSize V: Int) throws -> [Float] {
        try check(logits.count, dEntropy.count * V, "logits (N,V)")
        var d = [Float](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { l in
            dEntropy.withUnsafeBufferPointer { g in
                d.withUnsafeMutableBufferPointer {
                    Softmax.entropyBackward(dlogits: $0.baseAddress!, dentropy: g.baseAddress!, logits: l.baseAddress!,
                                            n: dEntropy.count, v: V, accumulate: false)
                }
            }
        }
        return d
    }

    private static func check(_ got: Int, _ expected: Int, _ what: String) throws {
        if got != expected { throw ModelError.shapeMismatch(what: what, expected: expected, got: got) }
    }
}
