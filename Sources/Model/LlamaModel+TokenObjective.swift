import Kernels

/// What a per-token objective (e.g. PPO's clipped surrogate with an entropy bonus) says about one chunk of
/// response rows: the gradient of the loss with respect to each row's log-prob and, optionally, its entropy.
public struct TokenObjectiveGradient {
    /// ∂loss/∂log p per row of the chunk.
    public var dLogProbs: [Float]
    /// ∂loss/∂H per row of the chunk, or nil when the loss does not depend on the entropy.
    public var dEntropies: [Float]?

    /// Creates a chunk's gradient.
    public init(dLogProbs: [Float], dEntropies: [Float]?) {
        self.dLogProbs = dLogProbs
        self.dEntropies = dEntropies
    }
}

extension LlamaModel {
    /// Forward, a per-token objective on chosen rows, and backward in one call, with the LM head fused and
    /// chunked as in `accumulateCrossEntropy`: no (B,T,V) logits or logits gradient is ever held.
    ///
    /// Row `rows[i]` (a flat b·T + t index) predicts `tokens[i]`; logits are divided by `temperature`. For each
    /// chunk of rows, `objective` gets the chunk's indices into `rows`, their log-probs and their entropies, and
    /// returns the loss gradient for them; gradients accumulate into the trainable parameters (and the adapter).
    /// - Complexity: 6·R·V·C multiply-adds in the head for R rows, plus the trunk's backward.
    public func accumulateTokenObjective(
        _ batch: Batch, rows: [Int], tokens: [Int32], temperature: Float,
        objective: (_ chunk: Range<Int>, _ logProbs: [Float], _ entropies: [Float]) throws -> TokenObjectiveGradient
    ) throws {
        guard !config.hasScalarHead else { throw ModelError.invalidState("a scalar-head model has no token log-probs") }
        guard rows.count == tokens.count else {
            throw ModelError.shapeMismatch(what: "tokens (one per row)", expected: rows.count, got: tokens.count)
        }
        guard temperature > 0, temperature.isFinite else {
            throw ModelError.invalidState("temperature must be a positive number, got \(temperature)")
        }
        let N = batch.batchSize * batch.seqLen
        if let bad = rows.first(where: { $0 < 0 || $0 >= N }) {
            throw ModelError.shapeMismatch(what: "row index below B·T", expected: N, got: bad)
        }
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError.tokenOutOfRange(token: bad, vocabSize: config.vocabSize)
        }
        let a = try forwardIntoActivations(batch)
        let C = config.hiddenSize, V = config.vocabSize
        let needTrunk = trunkNeedsGradient
        if needTrunk { a.dLn.pointer.update(repeating: 0, count: N * C) }
        guard Set(rows).count == rows.count else { throw ModelError.invalidState("token objective rows must be distinct") }
        var failure: Error?
        let packed = frozenHeadPackings()
        forEachHeadChunk(a, rows: rows, packed: packed?.logits) { chunk, chunkTokens, lse in
            guard failure == nil else { return }
            let r = chunk.count
            for (i, index) in chunk.indices.enumerated() { chunkTokens[i] = tokens[index] }
            if temperature != 1 { Softmax.scale(a.head.pointer, count: r * V, by: 1 / temperature) }
            var logp = [Float](repeating: 0, count: r), entropy = [Float](repeating: 0, count: r)
            logp.withUnsafeMutableBufferPointer { lp in
                entropy.withUnsafeMutableBufferPointer { h in
                    Softmax.tokenStatistics(lse: lse, logp: lp.baseAddress!, entropy: h.baseAddress!, logits: a.head.pointer,
                                            tokens: chunkTokens, n: r, v: V)
                }
            }
            let range = chunk.startIndex..<chunk.endIndex
            let g: TokenObjectiveGradient
            do {
                g = try objective(range, logp, entropy)
                guard g.dLogProbs.count == r, g.dEntropies.map({ $0.count == r }) ?? true else {
                    throw ModelError.shapeMismatch(what: "token objective gradient (one per row of the chunk)", expected: r,
                                                   got: g.dLogProbs.count)
                }
            } catch {
                failure = error
                return
            }
            g.dLogProbs.withUnsafeBufferPointer { dlp in
                entropy.withUnsafeBufferPointer { h in
                    if let dH = g.dEntropies {
                        dH.withUnsafeBufferPointer { dh in
                            Softmax.tokenObjectiveBackwardInPlace(a.head.pointer, tokens: chunkTokens, lse: lse,
                                                                  entropy: h.baseAddress!, dLogProbs: dlp.baseAddress!,
                                                                  dEntropy: dh.baseAddress!, n: r, v: V)
                        }
                    } else {
                        Softmax.tokenObjectiveBackwardInPlace(a.head.pointer, tokens: chunkTokens, lse: lse, entropy: nil,
                                                              dLogProbs: dlp.baseAddress!, dEntropy: nil, n: r, v: V)
                    }
                }
            }
            if temperature != 1 { Softmax.scale(a.head.pointer, count: r * V, by: 1 / temperature) }
            headChunkBackward(a, rows: r, needTrunk: needTrunk, packed: packed?.inputGradient) // (R,C)
            if needTrunk {
                for (i, row) in chunk.enumerated() {
                    (a.dLn.pointer + row * C).update(from: a.headGrad.pointer + i * C, count: C)
                }
            }
        }
        if let failure { throw failure }
        if needTrunk { backwardTrunk(a, batch: batch.batchSize, seqLen: batch.seqLen) }
    }
}
