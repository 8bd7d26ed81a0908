import Kernels

extension LlamaModel {
    /// Runs the model on a batch and, with `keepingActivations`, keeps the activations for `backward`; without, it
    /// only scores (one layer's worth of activation memory, reused layer after layer).
    ///
    /// - Complexity: O(B·T·(params + T·C)) floating-point work, mostly in BLAS.
    public func forward(_ batch: Batch, keepingActivations: Bool = true) throws -> ForwardOutput {
        let a = try forwardIntoActivations(batch, keeping: keepingActivations)
        let B = batch.batchSize, T = batch.seqLen, V = config.vocabSize, C = config.hiddenSize
        if config.hasScalarHead {
            let values = a.head.array(offset: 0, count: B * T)
            let scores = batch.lastTokenIndex.enumerated().map { values[$0.offset * T + $0.element] }
            return ForwardOutput(batchSize: B, seqLen: T, vocabSize: V, logits: [], values: values, scores: scores)
        }
        let logits = [Float](unsafeUninitializedCapacity: B * T * V) { out, count in
            Matmul.forward(out: out.baseAddress!, inp: a.lnf.pointer, weight: param(layout.lmHead!), n: B * T, c: C,
                           oc: V) // (B,T,V)
            count = B * T * V
        }
        return ForwardOutput(batchSize: B, seqLen: T, vocabSize: V, logits: logits, values: [], scores: [])
    }

    /// Log-probability of every next token (B,T): entry t of sequence b is log softmax(logits_t / temperature)
    /// at token t+1 where that token is real, and 0 at the last position and on padding.
    ///
    /// What a reference model, a KL term or a sequence score needs: the logits are made one chunk of
    /// rows at a time and only for the rows asked about, never the whole (B,T,V). Runs in
    /// `inferencePrecision` (in bf16 the weights are packed anew on every call outside `withPinnedInferenceWeights`).
    public func nextTokenLogProbs(_ batch: Batch, temperature: Float = 1) throws -> [Float] {
        try nextTokenLogProbs(batch, temperature: temperature, hiddenRows: []).logProbs
    }

    /// `nextTokenLogProbs` and the final norm's output at `hiddenRows` (flat b·T + t indices, hiddenRows.count × C)
    /// from the same forward, in `inferencePrecision`: a reference's log-probs and the features of a value head on
    /// its trunk in one pass.
    public func nextTokenLogProbs(_ batch: Batch, temperature: Float, hiddenRows: [Int]) throws
        -> (logProbs: [Float], hidden: [Float]) {
        guard !config.hasScalarHead else { throw ModelError.invalidState("a scalar-head model has no token log-probs") }
        guard temperature > 0, temperature.isFinite else {
            throw ModelError.invalidState("temperature must be a positive number, got \(temperature)")
        }
        let packed = inferencePackedWeights()
        let a = try forwardIntoActivations(batch, packed: packed, keeping: false)
        let B = batch.batchSize, T = batch.seqLen
        var next = [Int32](repeating: 0, count: B * T), rows: [Int] = []
        for b in 0..<B {
            for t in 0..<(T - 1) where batch.mask[b * T + t + 1] != 0 {
                next[b * T + t] = batch.tokens[b * T + t + 1]
                rows.append(b * T + t)
            }
        }
        let hidden = try lastFinalHiddenStates(rows: hiddenRows)
        return (tokenLogProbsHead(a, tokens: next, rows: rows, count: B * T, temperature: temperature, packed: packed?.lmHead),
                hidden)
    }

    /// Frees the saved training activations and the scoring buffers (the next forward allocates them again), e.g.
    /// between the phases of a PPO iteration, so sampling's KV cache never sits beside a training batch's activations.
    public func releaseActivations() {
        activations = nil
        scoringActivations = nil
        lastBatch = nil
        lastForward = nil
    }

    /// Checks the batch, runs the forward pass up to the final norm (`lnf`) and returns the activations; a
    /// scalar-head model's values (B,T) are in `head`, while LM-head logits are left to the caller (whole in
    /// `forward`, chunked in training and scoring). With `keeping`, the training activations hold every layer and
    /// `backward` then works on this batch; without, the pass runs in the shared scoring buffers and `backward` refuses
    /// until the next training forward.
    ///
    /// With `packed` the matrix products run in bf16 from those weights (scoring only).
    func forwardIntoActivations(_ batch: Batch, packed: PackedBF16Weights? = nil, keeping: Bool = true) throws -> Activations {
        precondition(packed == nil || !keeping, "bf16 activations are not for backward")
        let B = batch.batchSize, T = batch.seqLen
        let positionsUsed = batch.positions.map { Int($0.max() ?? 0) + 1 } ?? T
        if positionsUsed > config.maxPositionEmbeddings {
            throw ModelError.sequenceTooLong(length: positionsUsed, limit: config.maxPositionEmbeddings)
        }
        if let bad = batch.tokens.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError.tokenOutOfRange(token: bad, vocabSize: config.vocabSize)
        }
        let a: Activations
        let current = keeping ? activations : scoringActivations
        if let current, current.fits(batch: B, seqLen: T) {
            a = current
        } else {
            a = Activations(config: config, batch: max(B, current?.batch ?? 0), seqLen: max(T, current?.seqLen ?? 0),
                            headRows: headChunkRows, forBackward: keeping)
            if keeping { activations = a } else { scoringActivations = a }
        }
        batch.tokens.withUnsafeBufferPointer { a.tokens.update(from: $0.baseAddress!, count: B * T) }
        if let positions = batch.positions {
            positions.withUnsafeBufferPointer { a.positions.update(from: $0.baseAddress!, count: B * T) }
        } else {
            for b in 0..<B { for t in 0..<T { a.positions[b * T + t] = Int32(t) } }
        }
        batch.hiddenKeys?.withUnsafeBufferPointer { a.hiddenKeys.update(from: $0.baseAddress!, count: 2 * B * T) }
        a.mask.copy(from: batch.mask)
        runForward(a, batch: B, seqLen: T, hidesKeys: batch.hiddenKeys != nil, packed: packed)
        lastBatch = keeping ? batch : nil
        lastForward = (a, batch)
        return a
    }

    /// The forward pass over saved-activation buffers; tokens, positions, mask and (with `hidesKeys`)
    /// hidden key spans already filled.
    ///
    /// q|k|v and gate|up are one product each (their weights are adjacent in the layout); o_proj and
    /// down_proj add onto a copy of the residual stream inside the product.
    private func runForward(_ a: Activations, batch B: Int, seqLen T: Int, hidesKeys: Bool, packed: PackedBF16Weights?) {
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
            linear(out: qkv, inp: a.ln1[l].pointer, w.q, packed?.qkv[l], n: N, c: C, oc: QKV) // (B,T,QKV)
            addAdapterTerms(LoRATarget.attentionInput, layer: l, inp: a.ln1[l].pointer, out: qkv, outStride: QKV, n: N,
                            saving: a.forBackward)
            RoPE.forward(x: qkv, positions: a.positions, cos: ropeCos.pointer, sin: ropeSin.pointer,
                         n: N, heads: NH + NKV, headDim: HD, rowStride: QKV) // the q and k heads of each row
            Attention.forward(out: a.attOut[l].pointer, att: a.att[l].pointer, q: qkv, k: qkv + QC, v: qkv + QC + KC,
                              keyMask: a.mask.pointer, hiddenKeys: hidesKeys ? UnsafePointer(a.hiddenKeys) : nil,
                              shape: shape) // (B,T,NH,HD)
            a.mid[l].copy(from: a.residual[l], sourceOffset: 0, offset: 0, count: N * C)
            linear(out: mid, inp: a.attOut[l].pointer, w.o, packed?.o[l], n: N, c: QC, oc: C, accumulate: true) // (B,T,C)
            addAdapterTerms([.o], layer: l, inp: a.attOut[l].pointer, out: mid, outStride: C, n: N, saving: a.forBackward)
            RMSNorm.forward(out: a.ln2[l].pointer, rstd: a.rstd2[l].pointer, inp: mid,
                            weight: param(w.postNorm), n: N, c: C, eps: c.rmsNormEps)
            let gateUp = a.gateUp[l].pointer
            linear(out: gateUp, inp: a.ln2[l].pointer, w.gate, packed?.gateUp[l], n: N, c: C, oc: 2 * I) // (B,T,2I)
            addAdapterTerms(LoRATarget.mlpInput, layer: l, inp: a.ln2[l].pointer, out: gateUp, outStride: 2 * I, n: N,
                            saving: a.forBackward)
            SwiGLU.forward(out: a.act[l].pointer, gate: gateUp, up: gateUp + I, rows: N, width: I,
                           inputStride: 2 * I) // (B,T,I)
            a.residual[l + 1].copy(from: a.mid[l], sourceOffset: 0, offset: 0, count: N * C)
            linear(out: a.residual[l + 1].pointer, inp: a.act[l].pointer, w.down, packed?.down[l], n: N, c: I, oc: C,
                   accumulate: true)
            addAdapterTerms([.down], layer: l, inp: a.act[l].pointer, out: a.residual[l + 1].pointer, outStride: C, n: N,
                            saving: a.forBackward)
        }
        RMSNorm.forward(out: a.lnf.pointer, rstd: a.rstdf.pointer, inp: a.residual[c.numHiddenLayers].pointer,
                        weight: param(layout.finalNorm), n: N, c: C, eps: c.rmsNormEps) // (B,T,C)
        if let score = layout.score {
            Matmul.forward(out: a.head.pointer, inp: a.lnf.pointer, weight: param(score), n: N, c: C, oc: 1) // (B,T)
        }
    }

    /// out (N,OC) (+)= inp (N,C) · Wᵀ: in bf16 from `packed` when given, else from the parameters at `offset`
    /// (in bf16 when that weight is frozen and `basePrecision` is bf16, else fp32); `accumulate` adds into out.
    func linear(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, _ offset: Int, _ packed: BF16Matmul.PackedWeight?,
        n: Int, c: Int, oc: Int, accumulate: Bool = false
    ) {
        if let packed {
            BF16Matmul.forward(out: out, inp: inp, weight: packed, n: n, accumulate: accumulate)
        } else if baseRunsInBF16(offset, count: oc * c) {
            frozenLinear(out: out, inp: inp, offset, n: n, c: c, oc: oc, accumulate: accumulate)
        } else {
            Matmul.forward(out: out, inp: inp, weight: param(offset), n: n, c: c, oc: oc, accumulate: accumulate)
        }
    }
}
