import Kernels

extension LlamaModel {
    /// Logit elements (rows × V) the LM head holds at once in training and scoring: 4M floats (16 MB), so a
    /// chunk's logits stay in the last-level cache from the head product through the softmax to the two
    /// backward products. SmolLM2's 49,152-token head then works on 85 rows at a time.
    static let headChunkElements = 1 << 22

    /// Rows of logits per head chunk for this model's vocabulary (at least 8).
    static func defaultHeadChunkRows(vocabSize: Int) -> Int { max(8, headChunkElements / max(vocabSize, 1)) }

    /// Whether anything below the head trains, so the head must pass a gradient down to the final norm.
    var trunkNeedsGradient: Bool { lowestTrainableLayer < config.numHiddenLayers || isTrainable(offset: layout.finalNorm) }

    /// Lowest block index whose parameters or LoRA adapter (or anything below) train; `numHiddenLayers` if none.
    var lowestTrainableLayer: Int {
        if isTrainable(offset: layout.embed) { return 0 }
        let adapterLayer = lowestTrainableAdapterLayer ?? config.numHiddenLayers
        for (l, w) in layout.layers.enumerated() where l < adapterLayer {
            let offsets = [w.inputNorm, w.q, w.k, w.v, w.o, w.postNorm, w.gate, w.up, w.down]
            if offsets.contains(where: isTrainable(offset:)) { return l }
        }
        return adapterLayer
    }

    /// Weighted next-token cross-entropy through the LM head, fused forward and backward, over only the rows
    /// with nonzero weight, at most `headChunkRows` of them at a time.
    ///
    /// Per chunk of R gathered rows of the final norm's output: logits (R,V) = rows · Wᵀ, overwritten by
    /// their gradient w/normalizer · (softmax − onehot); then d rows (R,C) = dlogits · W, scattered into
    /// `dLn` (zero for unweighted rows), and dW (V,C) += dlogitsᵀ · rows. A frozen head with a bf16
    /// `basePrecision` runs both of its products in bf16. Returns Σ w·(−log p) / normalizer.
    /// - Complexity: 6·R_live·V·C multiply-adds in BLAS; never more than one chunk of logits.
    func crossEntropyHead(_ a: Activations, targets: [Int32], weights: [Float], rows N: Int, normalizer: Float) -> Double {
        let C = config.hiddenSize, V = config.vocabSize
        let needTrunk = trunkNeedsGradient
        if needTrunk { a.dLn.pointer.update(repeating: 0, count: N * C) }
        let live = (0..<N).filter { weights[$0] != 0 }
        var loss = 0.0
        let packed = frozenHeadPackings()
        forEachHeadChunk(a, rows: live, packed: packed?.logits) { rows, chunkTargets, chunkWeights in
            let r = rows.count
            for (i, row) in rows.enumerated() {
                chunkTargets[i] = targets[row]
                chunkWeights[i] = weights[row]
            }
            loss += Softmax.crossEntropy(dlogits: a.head.pointer, logits: a.head.pointer, targets: chunkTargets,
                                         weights: chunkWeights, n: r, v: V, normalizer: normalizer)
            headChunkBackward(a, rows: r, needTrunk: needTrunk, packed: packed?.inputGradient) // (R,C)
            if needTrunk {
                for (i, row) in rows.enumerated() {
                    (a.dLn.pointer + row * C).update(from: a.headGrad.pointer + i * C, count: C)
                }
            }
        }
        return loss
    }

    /// Log-probabilities (N) of `tokens[i]` under rows `rows` of the LM head (unlisted entries stay 0), with
    /// logits divided by `temperature`, a chunk of rows at a time; nothing else of the logits is kept. With
    /// `packed` the head product runs in bf16.
    func tokenLogProbsHead(
        _ a: Activations, tokens: [Int32], rows: [Int], count N: Int, temperature: Float, packed: BF16Matmul.PackedWeight?
    ) -> [Float] {
        let V = config.vocabSize
        var out = [Float](repeating: 0, count: N)
        forEachHeadChunk(a, rows: rows, packed: packed) { chunk, chunkTokens, chunkOut in
            let r = chunk.count
            for (i, row) in chunk.enumerated() { chunkTokens[i] = tokens[row] }
            if temperature != 1 { Softmax.scale(a.head.pointer, count: r * V, by: 1 / temperature) }
            Softmax.tokenLogProbs(out: chunkOut, logits: a.head.pointer, tokens: chunkTokens, n: r, v: V)
            for (i, row) in chunk.enumerated() { out[row] = chunkOut[i] }
        }
        return out
    }

    /// Cuts `rows` (indices into the final norm's output) into chunks of at most `headChunkRows`; for each,
    /// gathers them into `a.headInput`, computes their logits into `a.head` and calls `body` with the chunk's
    /// row indices and two scratch arrays of the chunk's length (targets and a float per row); in bf16 with
    /// `packed`.
    func forEachHeadChunk(
        _ a: Activations, rows: [Int], packed: BF16Matmul.PackedWeight? = nil,
        _ body: (ArraySlice<Int>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let C = config.hiddenSize, V = config.vocabSize
        let R = min(headChunkRows, a.headRows)
        let ints = UnsafeMutablePointer<Int32>.allocate(capacity: R), floats = UnsafeMutablePointer<Float>.allocate(capacity: R)
        defer {
            ints.deallocate()
            floats.deallocate()
        }
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + R, rows.count)]
            for (i, row) in chunk.enumerated() {
                (a.headInput.pointer + i * C).update(from: a.lnf.pointer + row * C, count: C)
            }
            linear(out: a.head.pointer, inp: a.headInput.pointer, layout.lmHead!, packed, n: chunk.count, c: C,
                   oc: V) // (R,V)
            body(chunk, ints, floats)
            start += chunk.count
        }
    }
}
