import RealModule

extension LlamaModel {
    /// Forward, weighted next-token cross-entropy and backward in one call (SFT and pretraining).
    ///
    /// `lossMask` (B,T) marks the tokens to learn (default all real tokens); gradients accumulate, scaled by
    /// 1/`normalizer` (default: this batch's total weight; pass the total over all micro-batches when
    /// accumulating). Returns the loss contribution of this batch. Throws `nonFiniteLoss`.
    @discardableResult
    public func accumulateCrossEntropy(_ batch: Batch, lossMask: [Float]? = nil, normalizer: Float? = nil) throws -> Double {
        let (targets, weights) = try batch.nextTokenTargets(lossMask: lossMask)
        let out = try forward(batch)
        let ce = try LogitMath.maskedCrossEntropy(logits: out.logits, targets: targets, weights: weights,
                                                  vocabSize: config.vocabSize, normalizer: normalizer)
        try backward(dLogits: ce.dLogits)
        return ce.loss
    }
}

extension LogitMath {
    /// Bradley–Terry loss mean(−log σ(chosen − rejected)) over pairs, with its gradients for both score lists.
    public static func bradleyTerry(chosen: [Float], rejected: [Float]) throws -> (loss: Double, dChosen: [Float], dRejected: [Float]) {
        guard chosen.count == rejected.count, !chosen.isEmpty else {
            throw ModelError.shapeMismatch(what: "rejected scores", expected: chosen.count, got: rejected.count)
        }
        let n = Float(chosen.count)
        var loss = 0.0
        var dc = [Float](repeating: 0, count: chosen.count), dr = dc
        for i in chosen.indices {
            let margin = Double(chosen[i] - rejected[i])
            // −log σ(m) = softplus(−m), computed stably.
            loss += margin > 0 ? Double.log(onePlus: Double.exp(-margin)) : -margin + Double.log(onePlus: Double.exp(margin))
            let g = Float(1 / (1 + Double.exp(margin))) / n // σ(−m)/n
            dc[i] = -g
            dr[i] = g
        }
        loss /= Double(n)
        guard loss.isFinite else { throw ModelError.nonFiniteLoss(value: loss) }
        return (loss, dc, dr)
    }
}

extension Batch {
    /// Spreads per-sequence score gradients (B) onto a dValues (B,T) array at each last real token.
    public func scoreGradientToValues(_ dScores: [Float]) throws -> [Float] {
        guard dScores.count == batchSize else {
            throw ModelError.shapeMismatch(what: "score gradients (B)", expected: batchSize, got: dScores.count)
        }
        var d = [Float](repeating: 0, count: batchSize * seqLen)
        for (b, last) in lastTokenIndex.enumerated() { d[b * seqLen + last] = dScores[b] }
        return d
    }
}
