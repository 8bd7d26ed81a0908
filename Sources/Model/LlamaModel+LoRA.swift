import Kernels

extension LlamaModel {
    /// Attaches `adapter` (made for this model's sizes); with `freezingBase`, every base tensor is frozen so
    /// only A and B train.
    public func attach(_ adapter: LoRAAdapter, freezingBase: Bool = true) throws {
        let a = adapter.modelConfig, c = config
        guard a.hiddenSize == c.hiddenSize, a.intermediateSize == c.intermediateSize, a.numHiddenLayers == c.numHiddenLayers,
              a.numAttentionHeads == c.numAttentionHeads, a.numKeyValueHeads == c.numKeyValueHeads, a.headDim == c.headDim else {
            throw ModelError.invalidConfig(field: "adapter", reason: "was made for a model with hidden_size \(a.hiddenSize), "
                + "\(a.numHiddenLayers) layers, heads \(a.numAttentionHeads)/\(a.numKeyValueHeads), intermediate_size "
                + "\(a.intermediateSize); this model has \(c.hiddenSize), \(c.numHiddenLayers), "
                + "\(c.numAttentionHeads)/\(c.numKeyValueHeads), \(c.intermediateSize)")
        }
        self.adapter = adapter
        if freezingBase { setTrainable(false) { _ in true } }
    }

    /// Removes the adapter; the model is its base again (frozen flags stay as they are).
    public func detachAdapter() { adapter = nil }

    /// Folds the adapter into the base weights (W += scale·B·A, in place) and detaches it; the model then
    /// computes the adapted function with plain weights, e.g. to save a full checkpoint.
    public func mergeAdapter() {
        guard let lora = adapter else { return }
        if lora.isEnabled {
            for m in lora.layout.modules {
                LowRank.merge(weight: param(m.target.baseOffset(layout.layers[m.layer])),
                              a: lora.parameters.pointer + m.a, b: lora.parameters.pointer + m.b,
                              c: m.inputs, rank: lora.config.rank, oc: m.outputs, scale: lora.config.scale)
            }
        }
        adapter = nil
    }

    /// The enabled adapter, if any.
    private var activeAdapter: LoRAAdapter? { adapter.flatMap { $0.isEnabled ? $0 : nil } }

    /// Adds the adapter terms of `targets` in block `layer` to a projection output (a fused q|k|v or gate|up
    /// row, or a single projection) of `n` rows with row stride `outStride`, reading input `inp` (N, in).
    ///
    /// `saving` keeps each u = A·x for backward (training forward); otherwise u goes to scratch (inference).
    func addAdapterTerms(_ targets: [LoRATarget], layer: Int, inp: UnsafePointer<Float>,
                         out: UnsafeMutablePointer<Float>, outStride: Int, n: Int, saving: Bool) {
        guard let lora = activeAdapter else { return }
        if saving { lora.reserveSaved(rows: n) } else { lora.reserveScratch(rows: n) }
        for t in targets {
            guard let i = lora.layout.module(layer: layer, target: t) else { continue }
            let m = lora.layout.modules[i]
            LowRank.forward(out: out + t.fusedColumn(config), outStride: outStride,
                            u: saving ? lora.savedU(i) : lora.scratch.pointer, inp: inp,
                            a: lora.parameters.pointer + m.a, b: lora.parameters.pointer + m.b,
                            n: n, c: m.inputs, rank: lora.config.rank, oc: m.outputs, scale: lora.config.scale)
        }
    }

    /// Backward of `addAdapterTerms` after a training forward: adds each adapter's input gradient into `dinp`
    /// (N, in) and, when the adapter trains, accumulates the gradients of A and B.
    func adapterBackward(_ targets: [LoRATarget], layer: Int, dout: UnsafePointer<Float>, doutStride: Int,
                         inp: UnsafePointer<Float>, dinp: UnsafeMutablePointer<Float>, n: Int) {
        guard let lora = activeAdapter else { return }
        lora.reserveScratch(rows: n)
        for t in targets {
            guard let i = lora.layout.module(layer: layer, target: t) else { continue }
            let m = lora.layout.modules[i]
            let g = lora.isTrainable ? lora.gradients.pointer : nil
            LowRank.backward(dinp: dinp, da: g.map { $0 + m.a }, db: g.map { $0 + m.b },
                             du: lora.scratch.pointer, dout: dout + t.fusedColumn(config), doutStride: doutStride,
                             u: lora.savedU(i), inp: inp, a: lora.parameters.pointer + m.a,
                             b: lora.parameters.pointer + m.b, n: n, c: m.inputs, rank: lora.config.rank,
                             oc: m.outputs, scale: lora.config.scale)
        }
    }

    /// The lowest block holding a trainable, enabled adapter, or nil.
    var lowestTrainableAdapterLayer: Int? {
        guard let lora = activeAdapter, lora.isTrainable else { return nil }
        return lora.layout.lowestLayer
    }
}
