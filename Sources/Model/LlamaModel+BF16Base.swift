import Kernels

/// A frozen base in bf16 (`basePrecision`): which products run in bf16, and their packing.
///
/// Every pass that does not pack for inference follows it: `forward`, the training calls, and the trunk of
/// `nextTokenLogProbs` in fp32 inference (so PPO's old and reference log-probs see the numerics its update sees).
///
/// Memory: outside `withPinnedBaseWeights` no bf16 copy of the base is kept. Each product rounds and packs its
/// weight into panels as it runs (like sgemm packs its operands) and frees them after: at most one layer product's
/// panels (3.4 MiB for SmolLM2-135M's gate|up) at a time, plus, for a training call's LM head, its forward and
/// input-gradient packings (2 × V·C bf16, 108 MiB for SmolLM2-135M) while that call runs. Inside it, each packing
/// is made once and kept until the scope ends (at most 2 × the base in bf16, 513 MiB for SmolLM2-135M).
extension LlamaModel {
    /// Runs `body` keeping every bf16 packing of a frozen base matrix made inside it (forward and input-gradient),
    /// so repeated passes (a PPO iteration's rollout, scoring and minibatches) pack each matrix once instead of on
    /// every product: the same bits as packing each time. Does nothing unless `basePrecision` is bf16. The frozen
    /// weights, the trainable flags and `basePrecision` must not change inside `body`; adapters may.
    public func withPinnedBaseWeights<T>(_ body: () throws -> T) rethrows -> T {
        guard basePrecision == .bf16, pinnedBasePackings == nil else { return try body() }
        pinnedBasePackings = PinnedBasePackings()
        defer { pinnedBasePackings = nil }
        return try body()
    }

    /// The forward packing of the weight (OC,C) at `offset`: kept in (or taken from) the pinned base packings when
    /// that weight is frozen on a bf16 base inside `withPinnedBaseWeights`, else made for this use only.
    func forwardPacking(_ offset: Int, outFeatures oc: Int, inFeatures c: Int) -> BF16Matmul.PackedWeight {
        let key = PinnedBasePackings.Key(offset: offset, outFeatures: oc, inFeatures: c)
        if let kept = pinnedBasePackings?.forward[key] { return kept }
        let packed = BF16Matmul.PackedWeight(weight: param(offset), outFeatures: oc, inFeatures: c)
        if let pins = pinnedBasePackings, baseRunsInBF16(offset, count: oc * c) { pins.forward[key] = packed }
        return packed
    }

    /// The input-gradient packing of the frozen weight (OC,C) at `offset`, kept like `forwardPacking`'s.
    private func inputGradientPacking(_ offset: Int, outFeatures oc: Int, inFeatures c: Int) -> BF16Matmul.PackedWeight {
        let key = PinnedBasePackings.Key(offset: offset, outFeatures: oc, inFeatures: c)
        if let kept = pinnedBasePackings?.inputGradient[key] { return kept }
        let packed = BF16Matmul.PackedWeight(inputGradientOf: param(offset), outFeatures: oc, inFeatures: c)
        pinnedBasePackings?.inputGradient[key] = packed
        return packed
    }

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

    /// out (N,OC) (+)= inp (N,C) · Wᵀ for the weight at `offset` in bf16, packed for this product only (or once
    /// inside `withPinnedBaseWeights`).
    func frozenLinear(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, _ offset: Int, n: Int, c: Int, oc: Int,
                      accumulate: Bool) {
        BF16Matmul.forward(out: out, inp: inp, weight: forwardPacking(offset, outFeatures: oc, inFeatures: c), n: n,
                           accumulate: accumulate)
    }

    /// dinp (N,C) (+)= dout (N,OC) · W and, with `dweight`, dweight += doutᵀ · inp, for the weight W (OC,C) at
    /// `offset`: `Matmul.backward`, except that a frozen weight's input gradient runs in bf16 when `basePrecision`
    /// is bf16.
    func linearBackward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
        inp: UnsafePointer<Float>, weight offset: Int, n: Int, c: Int, oc: Int
    ) {
        if let dinp, dweight == nil, baseRunsInBF16(offset, count: oc * c) {
            BF16Matmul.forward(out: dinp, inp: dout, weight: inputGradientPacking(offset, outFeatures: oc, inFeatures: c), n: n)
            return
        }
        Matmul.backward(dinp: dinp, dweight: dweight, dout: dout, inp: inp, weight: param(offset), n: n, c: c, oc: oc)
    }

    /// The LM head packed both ways for one training call (its logits and its input gradient), or nil unless the
    /// head is frozen and `basePrecision` is bf16.
    func frozenHeadPackings() -> (logits: BF16Matmul.PackedWeight, inputGradient: BF16Matmul.PackedWeight)? {
        let C = config.hiddenSize, V = config.vocabSize, head = layout.lmHead!
        guard baseRunsInBF16(head, count: V * C) else { return nil }
        return (forwardPacking(head, outFeatures: V, inFeatures: C), inputGradientPacking(head, outFeatures: V, inFeatures: C))
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

/// The bf16 packings of frozen base matrices kept inside `LlamaModel.withPinnedBaseWeights`.
final class PinnedBasePackings {
    /// A weight and the shape it was packed as (q|k|v and gate|up are packed fused, from their first part's offset).
    struct Key: Hashable {
        let offset: Int, outFeatures: Int, inFeatures: Int
    }

    /// Packings for out = x·Wᵀ and for the input gradient dX = dY·W.
    var forward: [Key: BF16Matmul.PackedWeight] = [:], inputGradient: [Key: BF16Matmul.PackedWeight] = [:]
}
