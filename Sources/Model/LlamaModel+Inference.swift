import Kernels

extension LlamaModel {
    /// Runs a chunk of tokens (B,T) through the model against the first B rows of the KV cache and returns
    /// next-token logits (B,V).
    ///
    /// Sequence b's chunk starts at position `start[b]` (the number of tokens it has cached); its keys and
    /// values are appended there. `logitRow[b]` picks which chunk position's logits to return. With `packed`
    /// the matrix products run in bf16 from those weights.
    func inferenceStep(
        _ s: InferenceState, batch B: Int, tokens: [Int32], seqLen T: Int, start: [Int32], logitRow: [Int],
        packed: PackedBF16Weights? = nil
    ) -> [Float] {
        let c = config
        precondition(B <= s.batch && tokens.count * c.hiddenSize <= s.x.count, "inference chunk larger than its buffers")
        let N = B * T, C = c.hiddenSize, I = c.intermediateSize, HD = c.headDim
        let NH = c.numAttentionHeads, NKV = c.numKeyValueHeads, QC = NH * HD, KC = NKV * HD, QKV = QC + 2 * KC
        let shape = AttentionShape(batch: B, seqLen: T, heads: NH, kvHeads: NKV, headDim: HD, qStride: QKV, kvStride: KC)
        var positions = [Int32](repeating: 0, count: N)
        for b in 0..<B { for t in 0..<T { positions[b * T + t] = start[b] + Int32(t) } }
        tokens.withUnsafeBufferPointer { tok in
            Embedding.forward(out: s.x.pointer, tokens: tok.baseAddress!, table: param(layout.embed), n: N, c: C)
        }
        positions.withUnsafeBufferPointer { posBuf in
            start.withUnsafeBufferPointer { startBuf in
                let pos = posBuf.baseAddress!, qkv = s.qkv.pointer, gateUp = s.gateUp.pointer
                for l in 0..<c.numHiddenLayers {
                    let w = layout.layers[l]
                    RMSNorm.forward(out: s.ln.pointer, rstd: s.rstd.pointer, inp: s.x.pointer, weight: param(w.inputNorm),
                                    n: N, c: C, eps: c.rmsNormEps) // (B,T,C)
                    linear(out: qkv, inp: s.ln.pointer, w.q, packed?.qkv[l], n: N, c: C, oc: QKV) // (B,T,QKV)
                    RoPE.forward(x: qkv, positions: pos, cos: ropeCos.pointer, sin: ropeSin.pointer,
                                 n: N, heads: NH + NKV, headDim: HD, rowStride: QKV)
                    for b in 0..<B {
                        for t in 0..<T {
                            let row = (b * T + t) * QKV, dst = (b * s.capacity + Int(start[b]) + t) * KC
                            s.kCache[l].pointer.advanced(by: dst).update(from: qkv + row + QC, count: KC)
                            s.vCache[l].pointer.advanced(by: dst).update(from: qkv + row + QC + KC, count: KC)
                        }
                    }
                    Attention.forwardCached(out: s.attOut.pointer, q: qkv, kCache: s.kCache[l].pointer,
                                            vCache: s.vCache[l].pointer, capacity: s.capacity, start: startBuf.baseAddress!,
                                            shape: shape) // (B,T,NH,HD)
                    linear(out: s.x.pointer, inp: s.attOut.pointer, w.o, packed?.o[l], n: N, c: QC, oc: C,
                           accumulate: true)
                    RMSNorm.forward(out: s.ln.pointer, rstd: s.rstd.pointer, inp: s.x.pointer, weight: param(w.postNorm),
                                    n: N, c: C, eps: c.rmsNormEps)
                    linear(out: gateUp, inp: s.ln.pointer, w.gate, packed?.gateUp[l], n: N, c: C, oc: 2 * I)
                    SwiGLU.forward(out: s.act.pointer, gate: gateUp, up: gateUp + I, rows: N, width: I,
                                   inputStride: 2 * I) // (B,T,I)
                    linear(out: s.x.pointer, inp: s.act.pointer, w.down, packed?.down[l], n: N, c: I, oc: C,
                           accumulate: true)
                }
            }
        }
        for b in 0..<B { s.rows.copy(from: s.x, sourceOffset: (b * T + logitRow[b]) * C, offset: b * C, count: C) }
        RMSNorm.forward(out: s.rowsNorm.pointer, rstd: s.rstd.pointer, inp: s.rows.pointer, weight: param(layout.finalNorm),
                        n: B, c: C, eps: c.rmsNormEps) // (B,C)
        linear(out: s.logits.pointer, inp: s.rowsNorm.pointer, layout.lmHead!, packed?.lmHead, n: B, c: C,
               oc: c.vocabSize) // (B,V)
        return s.logits.array(offset: 0, count: B * c.vocabSize)
    }

    /// Makes sure the training activations can hold a (B,T) batch without reallocating.
    func reserveActivations(batch B: Int, seqLen T: Int) {
        if let a = activations, a.fits(batch: B, seqLen: T) { return }
        activations = Activations(config: config, batch: B, seqLen: T, headRows: headChunkRows)
    }
}
