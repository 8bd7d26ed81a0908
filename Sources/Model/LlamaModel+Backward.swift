import Kernels

extension LlamaModel {
    /// Backpropagates upstream gradients of the last `forward` and accumulates parameter gradients.
    ///
    /// Pass `dLogits` (B,T,V) for a causal LM or `dValues` (B,T) for a scalar-head model (a score
    /// gradient goes at the token the score was read from, e.g. `batch.lastTokenIndex`). Frozen slices get no gradient, and the pass stops below
    /// the lowest block that has a trainable parameter.
    public func backward(dLogits: [Float]? = nil, dValues: [Float]? = nil) throws {
        guard let a = activations, let batch = lastBatch else {
            throw ModelError.invalidState("backward needs a forward pass on the same batch first")
        }
        let B = batch.batchSize, T = batch.seqLen, N = B * T
        let upstream: [Float]
        if config.hasScalarHead {
            guard let dValues else { throw ModelError.invalidState("a scalar-head model's backward needs dValues (B,T)") }
            guard dValues.count == N else { throw ModelError.shapeMismatch(what: "dValues (B,T)", expected: N, got: dValues.count) }
            upstream = dValues
        } else {
            guard let dLogits else { throw ModelError.invalidState("a causal LM's backward needs dLogits (B,T,V)") }
            let n = N * config.vocabSize
            guard dLogits.count == n else { throw ModelError.shapeMismatch(what: "dLogits (B,T,V)", expected: n, got: dLogits.count) }
            upstream = dLogits
        }
        upstream.withUnsafeBufferPointer { runBackward(a, dHead: $0.baseAddress!, batch: B, seqLen: T) }
    }

    /// The backward pass, mirroring `runForward` in reverse: the head from `dHead`, then the trunk.
    private func runBackward(_ a: Activations, dHead: UnsafePointer<Float>, batch B: Int, seqLen T: Int) {
        let N = B * T, C = config.hiddenSize
        let needTrunk = trunkNeedsGradient
        let headOffset = layout.score ?? layout.lmHead!
        let headOut = config.hasScalarHead ? 1 : config.vocabSize
        Matmul.backward(dinp: needTrunk ? a.dLn.pointer : nil, dweight: gradPointer(headOffset), dout: dHead,
                        inp: a.lnf.pointer, weight: param(headOffset), n: N, c: C, oc: headOut) // (B,T,C)
        if needTrunk { backwardTrunk(a, batch: B, seqLen: T) }
    }

    /// The trunk's backward from `a.dLn`, the gradient of the final norm's output (B,T,C), down to the lowest
    /// trainable block (and the embedding when it trains).
    func backwardTrunk(_ a: Activations, batch B: Int, seqLen T: Int) {
        let c = config
        let N = B * T, C = c.hiddenSize, I = c.intermediateSize, HD = c.headDim
        let NH = c.numAttentionHeads, NKV = c.numKeyValueHeads, L = c.numHiddenLayers
        let QC = NH * HD, KC = NKV * HD, QKV = QC + 2 * KC
        let shape = AttentionShape(batch: B, seqLen: T, heads: NH, kvHeads: NKV, headDim: HD, qStride: QKV, kvStride: QKV)
        let lowest = lowestTrainableLayer
        RMSNorm.backward(dinp: a.dResidual.pointer, dweight: gradPointer(layout.finalNorm), dout: a.dLn.pointer,
                         inp: a.residual[L].pointer, weight: param(layout.finalNorm), rstd: a.rstdf.pointer,
                         n: N, c: C, accumulateInput: false)
        let dx = a.dResidual.pointer // (B,T,C), gradient of the residual stream, updated in place
        let dQKV = a.dQKV.pointer, dGateUp = a.dGateUp.pointer
        for l in stride(from: L - 1, through: lowest, by: -1) {
            let w = layout.layers[l]
            // MLP: x_{l+1} = mid + down(silu(gate(ln2)) * up(ln2))
            linearBackward(dinp: a.dAct.pointer, dweight: gradPointer(w.down), dout: dx, inp: a.act[l].pointer,
                           weight: w.down, n: N, c: I, oc: C) // (B,T,I)
            adapterBackward([.down], layer: l, dout: dx, doutStride: C, inp: a.act[l].pointer, dinp: a.dAct.pointer, n: N)
            let gateUp = a.gateUp[l].pointer
            SwiGLU.backward(dgate: dGateUp, dup: dGateUp + I, dout: a.dAct.pointer, gate: gateUp, up: gateUp + I,
                            rows: N, width: I, inputStride: 2 * I) // (B,T,2I)
            groupBackward(dinp: a.dLn.pointer, dout: dGateUp, inp: a.ln2[l].pointer, parts: [(w.gate, I), (w.up, I)],
                          n: N, c: C)
            adapterBackward(LoRATarget.mlpInput, layer: l, dout: dGateUp, doutStride: 2 * I, inp: a.ln2[l].pointer,
                            dinp: a.dLn.pointer, n: N)
            RMSNorm.backward(dinp: dx, dweight: gradPointer(w.postNorm), dout: a.dLn.pointer, inp: a.mid[l].pointer,
                             weight: param(w.postNorm), rstd: a.rstd2[l].pointer, n: N, c: C, accumulateInput: true)
            // Attention: mid = x_l + o(attn(rope(q(ln1)), rope(k(ln1)), v(ln1)))
            linearBackward(dinp: a.dAttOut.pointer, dweight: gradPointer(w.o), dout: dx, inp: a.attOut[l].pointer,
                           weight: w.o, n: N, c: QC, oc: C) // (B,T,NH,HD)
            adapterBackward([.o], layer: l, dout: dx, doutStride: C, inp: a.attOut[l].pointer, dinp: a.dAttOut.pointer, n: N)
            let qkv = a.qkv[l].pointer
            Attention.backward(dq: dQKV, dk: dQKV + QC, dv: dQKV + QC + KC, dout: a.dAttOut.pointer,
                               out: a.attOut[l].pointer, q: qkv, k: qkv + QC, v: qkv + QC + KC, att: a.att[l].pointer,
                               shape: shape) // (B,T,QKV)
            RoPE.backward(d: dQKV, positions: a.positions, cos: ropeCos.pointer, sin: ropeSin.pointer,
                          n: N, heads: NH + NKV, headDim: HD, rowStride: QKV)
            groupBackward(dinp: a.dLn.pointer, dout: dQKV, inp: a.ln1[l].pointer,
                          parts: [(w.q, QC), (w.k, KC), (w.v, KC)], n: N, c: C)
            adapterBackward(LoRATarget.attentionInput, layer: l, dout: dQKV, doutStride: QKV, inp: a.ln1[l].pointer,
                            dinp: a.dLn.pointer, n: N)
            RMSNorm.backward(dinp: dx, dweight: gradPointer(w.inputNorm), dout: a.dLn.pointer, inp: a.residual[l].pointer,
                             weight: param(w.inputNorm), rstd: a.rstd1[l].pointer, n: N, c: C, accumulateInput: true)
        }
        if lowest == 0, let dEmbed = gradPointer(layout.embed) {
            Embedding.backward(dtable: dEmbed, dout: dx, tokens: a.tokens, n: N, c: C)
        }
    }

    /// Backward of a group of adjacent projections read as one matrix W = [W₁;W₂;…] (q|k|v or gate|up):
    /// dinp (N,C) = dout (N,ΣOC) · W, and each trainable part's weight gradient.
    ///
    /// When the whole group trains its weight gradient is one product too; otherwise each trainable part
    /// takes its column block of dout.
    private func groupBackward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
        parts: [(offset: Int, rows: Int)], n: Int, c: Int
    ) {
        let total = parts.reduce(0) { $0 + $1.rows }
        let trains = parts.map { isTrainable(offset: $0.offset) }
        let whole = !trains.contains(false)
        // The parts are adjacent in the gradient buffer too when all of them train (`GradientLayout`).
        linearBackward(dinp: dinp, dweight: whole ? gradPointer(parts[0].offset) : nil, dout: dout, inp: inp,
                       weight: parts[0].offset, n: n, c: c, oc: total)
        guard !whole else { return }
        var column = 0
        for (part, trainsPart) in zip(parts, trains) {
            if trainsPart, let dweight = gradPointer(part.offset) {
                Matmul.weightGradient(dweight: dweight, dout: dout + column, doutStride: total,
                                      inp: inp, n: n, c: c, oc: part.rows)
            }
            column += part.rows
        }
    }
}
