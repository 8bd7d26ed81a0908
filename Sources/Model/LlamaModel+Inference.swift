import Kernels

extension LlamaModel {
    /// Runs a chunk of tokens (B,T) through the model against the KV cache and returns next-token logits (B,V).
    ///
    /// Sequence b's chunk starts at position `start[b]` (the number of tokens it has cached); its keys and
    /// values are appended there. `logitRow[b]` picks which chunk position's logits to return.
    func inferenceStep(
        _ s: InferenceState, tokens: [Int32], seqLen T: Int, start: [Int32], logitRow: [Int]
    ) -> [Float] {
        let c = config, B = s.batch
        precondition(tokens.count * c.hiddenSize <= s.x.count, "inference chunk larger than its buffers")
        let N = B * T, C = c.hiddenSize, I = c.intermediateSize, HD = c.headDim
        let NH = c.numAttentionHeads, NKV = c.numKeyValueHeads, KC = NKV * HD
        let shape = AttentionShape(batch: B, seqLen: T, heads: NH, kvHeads: NKV, headDim: HD)
        var positions = [Int32](repeating: 0, count: N)
        for b in 0..<B { for t in 0..<T { positions[b * T + t] = start[b] + Int32(t) } }
        tokens.withUnsafeBufferPointer { tok in
            Embedding.forward(out: s.x.pointer, tokens: tok.baseAddress!, table: param(layout.embed), n: N, c: C)
        }
        positions.withUnsafeBufferPointer { posBuf in
            start.withUnsafeBufferPointer { startBuf in
                let pos = posBuf.baseAddress!
                for l in 0..<c.numHiddenLayers {
                    let w = layout.layers[l]
                    RMSNorm.forward(out: s.ln.pointer, rstd: s.rstd.pointer, inp: s.x.pointer, weight: param(w.inputNorm),
                                    n: N, c: C, eps: c.rmsNormEps) // (B,T,C)
                    Matmul.forward(out: s.q.pointer, inp: s.ln.pointer, weight: param(w.q), n: N, c: C, oc: NH * HD)
                    Matmul.forward(out: s.k.pointer, inp: s.ln.pointer, weight: param(w.k), n: N, c: C, oc: KC)
                    Matmul.forward(out: s.v.pointer, inp: s.ln.pointer, weight: param(w.v), n: N, c: C, oc: KC)
                    RoPE.forward(x: s.q.pointer, positions: pos, cos: ropeCos.pointer, sin: ropeSin.pointer,
                                 n: N, heads: NH, headDim: HD)
                    RoPE.forward(x: s.k.pointer, positions: pos, cos: ropeCos.pointer, sin: ropeSin.pointer,
                                 n: N, heads: NKV, headDim: HD)
                    for b in 0..<B {
                        let dst = (b * s.capacity + Int(start[b])) * KC
                        s.kCache[l].copy(from: s.k, sourceOffset: b * T * KC, offset: dst, count: T * KC)
                        s.vCache[l].copy(from: s.v, sourceOffset: b * T * KC, offset: dst, count: T * KC)
                    }
                    Attention.forwardCached(out: s.attOut.pointer, q: s.q.pointer, kCache: s.kCache[l].pointer,
                                            vCache: s.vCache[l].pointer, capacity: s.capacity, start: startBuf.baseAddress!,
                                            shape: shape) // (B,T,NH,HD)
                    Matmul.forward(out: s.proj.pointer, inp: s.attOut.pointer, weight: param(w.o), n: N, c: NH * HD, oc: C)
                    Residual.accumulate(s.x.pointer, s.proj.pointer, n: N * C)
                    RMSNorm.forward(out: s.ln.pointer, rstd: s.rstd.pointer, inp: s.x.pointer, weight: param(w.postNorm),
                                    n: N, c: C, eps: c.rmsNormEps)
                    Matmul.forward(out: s.gate.pointer, inp: s.ln.pointer, weight: param(w.gate), n: N, c: C, oc: I)
                    Matmul.forward(out: s.up.pointer, inp: s.ln.pointer, weight: param(w.up), n: N, c: C, oc: I)
                    SwiGLU.forward(out: s.act.pointer, gate: s.gate.pointer, up: s.up.pointer, n: N * I) // (B,T,I)
                    Matmul.forward(out: s.proj.pointer, inp: s.act.pointer, weight: param(w.down), n: N, c: I, oc: C)
                    Residual.accumulate(s.x.pointer, s.proj.pointer, n: N * C)
                }
            }
        }
        for b in 0..<B { s.rows.copy(from: s.x, sourceOffset: (b * T + logitRow[b]) * C, offset: b * C, count: C) }
        RMSNorm.forward(out: s.rowsNorm.pointer, rstd: s.rstd.pointer, inp: s.rows.pointer, weight: param(layout.finalNorm),
                        n: B, c: C, eps: c.rmsNormEps) // (B,C)
        Matmul.forward(out: s.logits.pointer, inp: s.rowsNorm.pointer, weight: param(layout.lmHead!), n: B, c: C,
                       oc: c.vocabSize) // (B,V)
        return s.logits.array(offset: 0, count: B * c.vocabSize)
    }

    /// Makes sure the training activations can hold a (B,T) batch without reallocating.
    func reserveActivations(batch B: Int, seqLen T: Int) {
        if let a = activations, a.fits(batch: B, seqLen: T) { return }
        activations = Activations(config: config, batch: B, seqLen: T)
    }
}
