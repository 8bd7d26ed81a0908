import Kernels

extension LlamaModel {
    /// Runs the model on a batch and keeps the activations for `backward`.
    ///
    /// - Complexity: O(B·T·(params + T·C)) floating-point work, mostly in BLAS.
    public func forward(_ batch: Batch) throws -> ForwardOutput {
        let a = try forwardIntoActivations(batch)
        let B = batch.batchSize, T = batch.seqLen, V = config.vocabSize
        if config.hasScalarHead {
            let values = a.head.array(offset: 0, count: B * T)
            let scores = batch.lastTokenIndex.enumerated().map { values[$0.offset * T + $0.element] }
            return ForwardOutput(batchSize: B, seqLen: T, vocabSize: V, logits: [], values: values, scores: scores)
        }
        return ForwardOutput(batchSize: B, seqLen: T, vocabSize: V,
                             logits: a.head.array(offset: 0, count: B * T * V), values: [], scores: [])
    }

    /// Checks the batch, runs the forward pass and returns the activations, whose `head` holds the logits
    /// (B,T,V) or values (B,T); `backward` then works on this batch.
    func forwardIntoActivations(_ batch: Batch) throws -> Activations {
        let B = batch.batchSize, T = batch.seqLen
        let positionsUsed = batch.positions.map { Int($0.max() ?? 0) + 1 } ?? T
        if positionsUsed > config.maxPositionEmbeddings {
            throw ModelError.sequenceTooLong(length: positionsUsed, limit: config.maxPositionEmbeddings)
        }
        if let bad = batch.tokens.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError.tokenOutOfRange(token: bad, vocabSize: config.vocabSize)
        }
        let a: Activations
        if let existing = activations, existing.fits(batch: B, seqLen: T) {
            a = existing
        } else {
            a = Activations(config: config, batch: max(B, activations?.batch ?? 0), seqLen: max(T, activations?.seqLen ?? 0))
            activations = a
        }
        batch.tokens.withUnsafeBufferPointer { a.tokens.update(from: $0.baseAddress!, count: B * T) }
        if let positions = batch.positions {
            positions.withUnsafeBufferPointer { a.positions.update(from: $0.baseAddress!, count: B * T) }
        } else {
            for b in 0..<B { for t in 0..<T { a.positions[b * T + t] = Int32(t) } }
        }
        batch.hiddenKeys?.withUnsafeBufferPointer { a.hiddenKeys.update(from: $0.baseAddress!, count: 2 * B * T) }
        a.mask.copy(from: batch.mask)
        runForward(a, batch: B, seqLen: T, hidesKeys: batch.hiddenKeys != nil)
        lastBatch = batch
        return a
    }

    /// The forward pass over saved-activation buffers; tokens, positions, mask and (with `hidesKeys`)
    /// hidden key spans already filled.
    ///
    /// q|k|v and gate|up are one product each (their weights are adjacent in the layout); o_proj and
    /// down_proj add onto a copy of the residual stream inside the product.
    private func runForward(_ a: Activations, batch B: Int, seqLen T: Int, hidesKeys: Bool) {
        let c = config
        let N = B * T, C = c.hiddenSize, I = c.intermediateSize, HD = c.headDim
        let NH = c.numAttentionHeads, NKV = c.numKeyValueHeads
        let QC = NH * HD, KC = NKV * HD, QKV = QC + 2 * KC
        let shape = AttentionShape(batch: B, seqLen: T, heads: NH, kvHeads: NKV, headDim: HD, qStride: QKV, kvStride: QKV)
        Embedding.forward(out: a.residual[0].pointer, tokens: a.tokens, table: param(layout.embed), n: N, c: C) // (B,T,C)
        for l in 0..<c.numHiddenLayers {
            let w = layout.layers[l]
            let x = a.residual[l].pointer, qkv = a.qkv[l].pointer, mid = a.mid[l].pointer
            RMSNorm.forward(out: a.ln1[l].pointer, rstd: a.rstd1[l].pointer, inp: x, weight: param(w.inputNorm),
                            n: N, c: C, eps: c.rmsNormEps) // (B,T,C)
            Matmul.forward(out: qkv, inp: a.ln1[l].pointer, weight: param(w.q), n: N, c: C, oc: QKV) // (B,T,QKV)
            addAdapterTerms(LoRATarget.attentionInput, layer: l, inp: a.ln1[l].pointer, out: qkv, outStride: QKV, n: N,
                            saving: true)
            RoPE.forward(x: qkv, positions: a.positions, cos: ropeCos.pointer, sin: ropeSin.pointer,
                         n: N, heads: NH + NKV, headDim: HD, rowStride: QKV) // the q and k heads of each row
            Attention.forward(out: a.attOut[l].pointer, att: a.att[l].pointer, q: qkv, k: qkv + QC, v: qkv + QC + KC,
                              keyMask: a.mask.pointer, hiddenKeys: hidesKeys ? UnsafePointer(a.hiddenKeys) : nil,
                              shape: shape) // (B,T,NH,HD)
            a.mid[l].copy(from: a.residual[l], sourceOffset: 0, offset: 0, count: N * C)
            Matmul.forward(out: mid, inp: a.attOut[l].pointer, weight: param(w.o), n: N, c: QC, oc: C,
                           accumulate: true) // (B,T,C)
            addAdapterTerms([.o], layer: l, inp: a.attOut[l].pointer, out: mid, outStride: C, n: N, saving: true)
            RMSNorm.forward(out: a.ln2[l].pointer, rstd: a.rstd2[l].pointer, inp: mid,
                            weight: param(w.postNorm), n: N, c: C, eps: c.rmsNormEps)
            let gateUp = a.gateUp[l].pointer
            Matmul.forward(out: gateUp, inp: a.ln2[l].pointer, weight: param(w.gate), n: N, c: C, oc: 2 * I) // (B,T,2I)
            addAdapterTerms(LoRATarget.mlpInput, layer: l, inp: a.ln2[l].pointer, out: gateUp, outStride: 2 * I, n: N,
                            saving: true)
            SwiGLU.forward(out: a.act[l].pointer, gate: gateUp, up: gateUp + I, rows: N, width: I,
                           inputStride: 2 * I) // (B,T,I)
            a.residual[l + 1].copy(from: a.mid[l], sourceOffset: 0, offset: 0, count: N * C)
            Matmul.forward(out: a.residual[l + 1].pointer, inp: a.act[l].pointer, weight: param(w.down), n: N, c: I,
                           oc: C, accumulate: true)
            addAdapterTerms([.down], layer: l, inp: a.act[l].pointer, out: a.residual[l + 1].pointer, outStride: C, n: N,
                            saving: true)
        }
        RMSNorm.forward(out: a.lnf.pointer, rstd: a.rstdf.pointer, inp: a.residual[c.numHiddenLayers].pointer,
                        weight: param(layout.finalNorm), n: N, c: C, eps: c.rmsNormEps) // (B,T,C)
        if let score = layout.score {
            Matmul.forward(out: a.head.pointer, inp: a.lnf.pointer, weight: param(score), n: N, c: C, oc: 1) // (B,T)
        } else if let lmHead = layout.lmHead {
            Matmul.forward(out: a.head.pointer, inp: a.lnf.pointer, weight: param(lmHead), n: N, c: C,
                           oc: c.vocabSize) // (B,T,V)
        }
    }
}
