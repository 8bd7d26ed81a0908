import Kernels

/// A frozen base in bf16 (`basePrecision`): which products run in bf16, and their packing.
///
/// Every pass that does not pack for inference follows it: `forward`, the training calls, and the trunk of
/// `nextTokenLogProbs` in fp32 inference (so PPO's old and reference log-probs see the numerics its update sees).
///
/// Memory: no bf16 copy of the base is kept. Each product rounds and packs its weight into panels as it
/// runs (like sgemm packs its operands) and frees them after: at most one layer product's panels (3.4 MiB
/// for SmolLM2-135M's gate|up) at a time, plus, for a training call's LM head, its forward and
/// input-gradient packings (2 × V·C bf16, 108 MiB for SmolLM2-135M) while that call runs.
extension LlamaModel {
    /// Whether the training product with the weight elements `offset ..< offset + count` runs in bf16: the
    /// base precision is bf16 and every tensor overlapping that range is frozen.
    func baseRunsInBF16(_ offset: Int, count: Int) -> Bool {
        guard basePrecision == .bf16 else { return false }
        let end = offset + count
        for (i, s) in layout.slices.enumerated() where s.offset < end && s.offset + s.count > offset && trainable[i] {
            return false
        }
        return true
    }

    /// out (N,OC) (+)= inp (N,C) · Wᵀ for the weight at `offset` in bf16, packed for this product only.
    func frozenLinear(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, _ offset: Int, n: Int, c: Int, oc: Int,
                      accumulate: Bool) {
        let packed = BF16Matmul.PackedWeight(weight: param(offset), outFeatures: oc, inFeatures: c)
        BF16Matmul.forward(out: out, inp: inp, weight: packed, n: n, accumulate: accumulate)
    }

    /// dinp (N,C) (+)= dout (N,OC) · W and, with `dweight`, dweight += doutᵀ · inp, for the weight W (OC,C) at
    /// `offset`: `Matmul.backward`, except that a frozen weight's input gradient runs in bf16 when `basePrecision`
    /// is bf16.
    func linearBackward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
        inp: UnsafePointer<Float>, weight offset: Int, n: Int, c: Int, oc: Int
    ) {
        if let dinp, dweight == nil, baseRunsInBF16(offset, count: oc * c) {
            let packed = BF16Matmul.PackedWeight(inputGradientOf: param(offset), outFeatures: oc, inFeatures: c)
            BF16Matmul.forward(out: dinp, inp: dout, weight: packed, n: n)
            return
        }
        Matmul.backward(dinp: dinp, dweight: dweight, dout: dout, inp: inp, weight: param(offset), n: n, c: c, oc: oc)
    }

    /// The LM head packed both ways for one training call (its logits and its input gradient), or nil unless the
    /// head is frozen and `basePrecision` is bf16.
    func frozenHeadPackings() -> (logits: BF16Matmul.PackedWeight, inputGradient: BF16Matmul.PackedWeight)? {
        let C = config.hiddenSize, V = config.vocabSize, head = layout.lmHead!
        guard baseRunsInBF16(head, count: V * C) else { return nil }
        return (BF16Matmul.PackedWeight(weight: param(head), outFeatures: V, inFeatures: C),
                BF16Matmul.PackedWeight(inputGradientOf: param(head), outFeatures: V, inFeatures: C))
    }

    /// Backward of one head chunk of `r` rows after the logits in `a.head` became their gradient: d rows into
    /// `a.headGrad` when the trunk needs them (in bf16 with `packed`), and the head's weight gradient when it trains.
    func headChunkBackward(_ a: Activations, rows r: Int, needTrunk: Bool, packed: BF16Matmul.PackedWeight?) {
        let C = config.hiddenSize, V = config.vocabSize, head = layout.lmHead!
        if let packed {
            if needTrunk { BF16Matmul.forward(out: a.headGrad.pointer, inp: a.head.pointer, weight: packed, n: r) } // (R,C)
            return
        }
        Matmul.backward(dinp: needTrunk ? a.headGrad.pointer : nil, dweight: gradPointer(head), dout: a.head.pointer,
                        inp: a.headInput.pointer, weight: param(head), n: r, c: C, oc: V) // (R,C)
    }
}
