import Kernels
import RealModule

extension LlamaModel {
    /// Forward, weighted next-token cross-entropy and backward in one call (SFT and pretraining).
    ///
    /// `lossMask` (B,T) marks the tokens to learn (default all real tokens); gradients accumulate, scaled by
    /// 1/`normalizer` (default: this batch's total weight; pass the total over all micro-batches when
    /// accumulating). Returns the loss contribution of this batch. Throws `nonFiniteLoss`.
    /// The LM head runs fused with the loss over the weighted rows only, a chunk of rows at a time
    /// (`crossEntropyHead`), so no (B,T,V) logits or logits gradient is ever held.
    @discardableResult
    public func accumulateCrossEntropy(_ batch: Batch, lossMask: [Float]? = nil, normalizer: Float? = nil) throws -> Double {
        guard !config.hasScalarHead else {
            throw ModelError.invalidState("next-token cross-entropy needs a causal LM, not a scalar-head model")
        }
        let (targets, weights) = try batch.nextTokenTargets(lossMask: lossMask)
        let a = try forwardIntoActivations(batch) // checks every token, so every target is in the vocabulary
        let norm = normalizer ?? max(weights.reduce(0, +), 1e-8)
        let B = batch.batchSize, T = batch.seqLen
        let loss = crossEntropyHead(a, targets: targets, weights: weights, rows: B * T, normalizer: norm)
        guard loss.isFinite else { throw ModelError.nonFiniteLoss(value: loss) }
        if trunkNeedsGradient { backwardTrunk(a, batch: B, seqLen: T) }
        return loss
    }
}

extension LogitMath {
    /// Bradley–Terry loss mean(−log σ(chosenᵢ − rejectedᵢ − marginᵢ)) over pairs, with its gradients for both
    /// score lists; `margins` (one per pair) default to 0.
    public static func bradleyTerry(chosen: [Float], rejected: [Float], margins: [Double]? = nil) throws
        -> (loss: Double, dChosen: [Float], dRejected: [Float]) {
        guard chosen.count == rejected.count, !chosen.isEmpty else {
            throw ModelError.shapeMismatch(what: "rejected scores", expected: chosen.count, got: rejected.count)
        }
        if let margins, margins.count != chosen.count {
            throw ModelError.shapeMismatch(what: "pair margins", expected: chosen.count, got: margins.count)
        }
        let n = Float(chosen.count)
        var loss = 0.0
        var dc = [Float](repeating: 0, count: chosen.count), dr = dc
        for i in chosen.indices {
            let m = Double(chosen[i]) - Double(rejected[i]) - (margins?[i] ?? 0)
            // −log σ(m) = softplus(−m), computed stably.
            loss += m > 0 ? Double.log(onePlus: Double.exp(-m)) : -m + Double.log(onePlus: Double.exp(m))
            let g = Float(1 / (1 + Double.exp(m))) / n // σ(−m)/n
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
