import Kernels

extension LlamaModel {
    /// Runs the model on a batch and keeps the activations for `backward`.
    ///
    /// - Complexity: O(B·T·(params + T·C)) floating-point work, mostly in BLAS.
    public func forward(_ batch: Batch) throws -> ForwardOutput {
        let B = batch.batchSize, T = batch.seqLen
        if T > config.maxPositionEmbeddings {
            throw ModelError.sequenceTooLong(length: T, limit: config.maxPositionEmbeddings)
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
        for b in 0..<B { for t in 0..<T { a.positions[b * T + t] = Int32(t) } }
        a.mask.copy(from: batch.mask)
        runForward(a, batch: B, seqLen: T)
        lastBatch = batch
        let V = config.vocabSize
        if config.hasScalarHead {
            let values = a.head.array(offset: 0, count: B * T)
            let scores = batch.lastTokenIndex.enumerated().map { values[$0.offset * T + $0.element] }
            return ForwardOutput(batchSize: B, seqLen: T, vocabSize: V, logits: [], values: values, scores: scores)
        }
        return ForwardOutput(batchSize: B, seqLen: T, vocabSize: V,
                             logits: a.head.array(offset: 0, count: B * T * V), values: [], scores: [])
    }

    /// The forward pass over saved-activation buffers; tokens, positions and mask already filled.
    private func runForward(_ a: Activations, batch B: Int, seqLen T: Int) {
        let c = config
        let N = B * T, C = c.hiddenSize, I = c.intermediateSize, HD = c.headDim
        let NH = c.numAttentionHeads, NKV = c.numKeyValueHeads
        let shape = AttentionShape(batch: B, seqLen: T, heads: NH, kvHeads: NKV, headDim: HD)
        Embedding.forward(out: a.residual[0].pointer, tokens: a.tokens, table: param(layout.embed), n: N, c: C) // (B,T,C)
        for l in 0..<c.numHiddenLayers {
            let w = layout.layers[l]
            let x = a.residual[l].pointer
            RMSNorm.forward(out: a.ln1[l].pointer, rstd: a.rstd1[l].pointer, inp: x, weight: param(w.inputNorm),
                            n: N, c: C, eps: c.rmsNormEps) // (B,T,C)
            Matmul.forward(out: a.q[l].pointer, inp: a.ln1[l].pointer, weight: param(w.q), n: N, c: C, oc: NH * HD)
            Matmul.forward(out: a.k[l].pointer, inp: a.ln1[l].pointer, weight: param(w.k), n: N, c: C, oc: NKV * HD)
            Matmul.forward(out: a.v[l].pointer, inp: a.ln1[l].pointer, weight: param(w.v), n: N, c: C, oc: NKV * HD)
            RoPE.forward(x: a.q[l].pointer, positions: a.positions, cos: ropeCos.pointer, sin: ropeSin.pointer,
                         n: N, heads: NH, headDim: HD) // (B,T,NH,HD)
            RoPE.forward(x: a.k[l].pointer, positions: a.positions, cos: ropeCos.pointer, sin: ropeSin.pointer,
                         n: N, heads: NKV, headDim: HD) // (B,T,NKV,HD)
            Attention.forward(out: a.attOut[l].pointer, att: a.att[l].pointer, q: a.q[l].pointer, k: a.k[l].pointer,
                              v: a.v[l].pointer, keyMask: a.mask.pointer, shape: shape) // (B,T,NH,HD)
            Matmul.forward(out: a.proj.pointer, inp: a.attOut[l].pointer, weight: param(w.o), n: N, c: NH * HD, oc: C)
            Residual.forward(out: a.mid[l].pointer, a: x, b: a.proj.pointer, n: N * C) // (B,T,C)
            RMSNorm.forward(out: a.ln2[l].pointer, rstd: a.rstd2[l].pointer, inp: a.mid[l].pointer,
                            weight: param(w.postNorm), n: N, c: C, eps: c.rmsNormEps)
            Matmul.forward(out: a.gate[l].pointer, inp: a.ln2[l].pointer, weight: param(w.gate), n: N, c: C, oc: I)
            Matmul.forward(out: a.up[l].pointer, inp: a.ln2[l].pointer, weight: param(w.up), n: N, c: C, oc: I)
            SwiGLU.forward(out: a.act[l].pointer, gate: a.gate[l].pointer, up: a.up[l].pointer, n: N * I) // (B,T,I)
            Matmul.forward(out: a.proj.pointer, inp: a.act[l].pointer, weight: param(w.down), n: N, c: I, oc: C)
            Residual.forward(out: a.residual[l + 1].pointer, a: a.mid[l].pointer, b: a.proj.pointer, n: N * C)
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
