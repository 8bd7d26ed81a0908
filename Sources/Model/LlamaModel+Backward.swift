import Kernels

extension LlamaModel {
    /// Backpropagates upstream gradients of the last `forward` and accumulates parameter gradients.
    ///
    /// Pass `dLogits` (B,T,V) for a causal LM or `dValues` (B,T) for a scalar-head model (a score
    /// gradient goes at `batch.lastTokenIndex`). Frozen slices get no gradient, and the pass stops below
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

    /// Lowest block index whose parameters (or anything below) train; `numHiddenLayers` if none.
    private var lowestTrainableLayer: Int {
        if isTrainable(offset: layout.embed) { return 0 }
        for (l, w) in layout.layers.enumerated() {
            let offsets = [w.inputNorm, w.q, w.k, w.v, w.o, w.postNorm, w.gate, w.up, w.down]
            if offsets.contains(where: isTrainable(offset:)) { return l }
        }
        return config.numHiddenLayers
    }

    /// The backward pass, mirroring `runForward` in reverse.
    private func runBackward(_ a: Activations, dHead: UnsafePointer<Float>, batch B: Int, seqLen T: Int) {
        let c = config
        let N = B * T, C = c.hiddenSize, I = c.intermediateSize, HD = c.headDim
        let NH = c.numAttentionHeads, NKV = c.numKeyValueHeads, L = c.numHiddenLayers
        let shape = AttentionShape(batch: B, seqLen: T, heads: NH, kvHeads: NKV, headDim: HD)
        let lowest = lowestTrainableLayer
        let needTrunk = lowest < L || isTrainable(offset: layout.finalNorm)
        let headOffset = layout.score ?? layout.lmHead!
        let headOut = c.hasScalarHead ? 1 : c.vocabSize
        Matmul.backward(dinp: needTrunk ? a.dLn.pointer : nil, dweight: gradPointer(headOffset), dout: dHead,
                        inp: a.lnf.pointer, weight: param(headOffset), n: N, c: C, oc: headOut) // (B,T,C)
        guard needTrunk else { return }
        RMSNorm.backward(dinp: a.dResidual.pointer, dweight: gradPointer(layout.finalNorm), dout: a.dLn.pointer,
                         inp: a.residual[L].pointer, weight: param(layout.finalNorm), rstd: a.rstdf.pointer,
                         n: N, c: C, accumulateInput: false)
        let dx = a.dResidual.pointer // (B,T,C), gradient of the residual stream, updated in place
        for l in stride(from: L - 1, through: lowest, by: -1) {
            let w = layout.layers[l]
            // MLP: x_{l+1} = mid + down(silu(gate(ln2)) * up(ln2))
            Matmul.backward(dinp: a.dAct.pointer, dweight: gradPointer(w.down), dout: dx, inp: a.act[l].pointer,
                            weight: param(w.down), n: N, c: I, oc: C) // (B,T,I)
            SwiGLU.backward(dgate: a.dGate.pointer, dup: a.dUp.pointer, dout: a.dAct.pointer, gate: a.gate[l].pointer,
                            up: a.up[l].pointer, n: N * I)
            Matmul.backward(dinp: a.dLn.pointer, dweight: gradPointer(w.gate), dout: a.dGate.pointer,
                            inp: a.ln2[l].pointer, weight: param(w.gate), n: N, c: C, oc: I)
            Matmul.backward(dinp: a.dLn.pointer, dweight: gradPointer(w.up), dout: a.dUp.pointer,
                            inp: a.ln2[l].pointer, weight: param(w.up), n: N, c: C, oc: I, accumulateInput: true)
            RMSNorm.backward(dinp: dx, dweight: gradPointer(w.postNorm), dout: a.dLn.pointer, inp: a.mid[l].pointer,
                             weight: param(w.postNorm), rstd: a.rstd2[l].pointer, n: N, c: C, accumulateInput: true)
            // Attention: mid = x_l + o(attn(rope(q(ln1)), rope(k(ln1)), v(ln1)))
            Matmul.backward(dinp: a.dAttOut.pointer, dweight: gradPointer(w.o), dout: dx, inp: a.attOut[l].pointer,
                            weight: param(w.o), n: N, c: NH * HD, oc: C) // (B,T,NH,HD)
            Attention.backward(dq: a.dq.pointer, dk: a.dk.pointer, dv: a.dv.pointer, dout: a.dAttOut.pointer,
                               q: a.q[l].pointer, k: a.k[l].pointer, v: a.v[l].pointer, att: a.att[l].pointer,
                               shape: shape)
            RoPE.backward(d: a.dq.pointer, positions: a.positions, cos: ropeCos.pointer, sin: ropeSin.pointer,
                          n: N, heads: NH, headDim: HD)
            RoPE.backward(d: a.dk.pointer, positions: a.positions, cos: ropeCos.pointer, sin: ropeSin.pointer,
                          n: N, heads: NKV, headDim: HD)
            Matmul.backward(dinp: a.dLn.pointer, dweight: gradPointer(w.q), dout: a.dq.pointer, inp: a.ln1[l].pointer,
                            weight: param(w.q), n: N, c: C, oc: NH * HD)
            Matmul.backward(dinp: a.dLn.pointer, dweight: gradPointer(w.k), dout: a.dk.pointer, inp: a.ln1[l].pointer,
                            weight: param(w.k), n: N, c: C, oc: NKV * HD, accumulateInput: true)
            Matmul.backward(dinp: a.dLn.pointer, dweight: gradPointer(w.v), dout: a.dv.pointer, inp: a.ln1[l].pointer,
                            weight: param(w.v), n: N, c: C, oc: NKV * HD, accumulateInput: true)
            RMSNorm.backward(dinp: dx, dweight: gradPointer(w.inputNorm), dout: a.dLn.pointer, inp: a.residual[l].pointer,
                             weight: param(w.inputNorm), rstd: a.rstd1[l].pointer, n: N, c: C, accumulateInput: true)
        }
        if lowest == 0, let dEmbed = gradPointer(layout.embed) {
            Embedding.backward(dtable: dEmbed, dout: dx, tokens: a.tokens, n: N, c: C)
        }
    }
}
