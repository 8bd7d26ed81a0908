import Kernels

/// Precision of the matrix products in inference (KV-cache generation and `nextTokenLogProbs`); training,
/// `forward` and `backward` run in fp32, the reference, except a frozen base's products under a bf16
/// `BasePrecision`.
public enum InferencePrecision: String, CaseIterable, Sendable {
    /// fp32 operands through OpenBLAS sgemm.
    case fp32
    /// bfloat16 operands with fp32 accumulation (AVX-512 BF16); falls back to fp32 on other CPUs.
    case bf16

    /// bf16 when this CPU has AVX-512 BF16, else fp32: the run-time choice by CPU feature.
    public static var fastest: InferencePrecision { BF16Matmul.isSupported ? .bf16 : .fp32 }

    /// What actually runs for this setting on this CPU.
    public var effective: InferencePrecision { self == .bf16 && !BF16Matmul.isSupported ? .fp32 : self }

    /// Benchmark wording of the path this setting takes here.
    public var pathDescription: String {
        switch effective {
        case .fp32: return "fp32, \(BLAS.pathDescription)"
        case .bf16: return "bf16 matmuls (AVX-512 BF16 vdpbf16ps, fp32 accumulation), fp32 elsewhere; \(CPUFeatures.current.summary)"
        }
    }
}

/// A snapshot of a model's matrices packed for `BF16Matmul`, made at the start of an inference call so it
/// always matches the current fp32 parameters. A matrix left out (nil) runs as `linear` decides without a packing.
final class PackedBF16Weights {
    /// Per layer: fused q|k|v (QKV,C), o (C,QC), fused gate|up (2I,C) and down (C,I).
    let qkv: [BF16Matmul.PackedWeight?], o: [BF16Matmul.PackedWeight?]
    let gateUp: [BF16Matmul.PackedWeight?], down: [BF16Matmul.PackedWeight?]
    /// The LM head (V,C).
    let lmHead: BF16Matmul.PackedWeight?
    /// The inference precision the snapshot serves: bf16 (every matrix) or fp32 on a bf16 base (the frozen ones).
    let precision: InferencePrecision

    /// Packs the matrices of `model` (a causal LM) for which `include(offset, count)` holds (every one by default),
    /// taking the frozen ones from `withPinnedBaseWeights`' packings when that runs.
    init(_ model: LlamaModel, for precision: InferencePrecision, including include: (Int, Int) -> Bool = { _, _ in true }) {
        self.precision = precision
        let c = model.config, layout = model.layout
        let C = c.hiddenSize, I = c.intermediateSize, HD = c.headDim
        let QC = c.numAttentionHeads * HD, QKV = QC + 2 * c.numKeyValueHeads * HD
        func pack(_ offset: Int, _ oc: Int, _ ic: Int) -> BF16Matmul.PackedWeight? {
            guard include(offset, oc * ic) else { return nil }
            return model.forwardPacking(offset, outFeatures: oc, inFeatures: ic)
        }
        qkv = layout.layers.map { pack($0.q, QKV, C) }
        o = layout.layers.map { pack($0.o, C, QC) }
        gateUp = layout.layers.map { pack($0.gate, 2 * I, C) }
        down = layout.layers.map { pack($0.down, C, I) }
        lmHead = pack(layout.lmHead!, c.vocabSize, C)
    }
}

extension LlamaModel {
    /// The bf16 weights an inference call runs on: nil when no product runs in bf16 (or for a scalar-head model,
    /// which has no LM head to pack), else the pinned snapshot or a fresh one. In bf16 inference every matrix is
    /// packed; in fp32 inference on a bf16 base (`basePrecision`), the frozen matrices, which `linear` would
    /// otherwise pack anew on every product (every decode step): the same bits, packed once per call.
    func inferencePackedWeights() -> PackedBF16Weights? {
        guard layout.lmHead != nil else { return nil }
        let precision = inferencePrecision.effective
        if let pinnedPackedWeights, pinnedPackedWeights.precision == precision { return pinnedPackedWeights }
        switch precision {
        case .bf16: return PackedBF16Weights(self, for: .bf16)
        case .fp32: return basePrecision == .bf16 ? PackedBF16Weights(self, for: .fp32, including: baseRunsInBF16) : nil
        }
    }

    /// Whether inference in `precision` runs the products training runs (so their log-probs agree to float
    /// rounding): fp32 inference follows `basePrecision` product by product as training does; bf16 inference
    /// matches a bf16 base whose every packed matrix is frozen.
    public func inferenceMatchesTraining(in precision: InferencePrecision) -> Bool {
        guard precision.effective == .bf16 else { return true }
        guard basePrecision == .bf16, layout.lmHead != nil else { return false }
        let c = config, C = c.hiddenSize, I = c.intermediateSize, HD = c.headDim
        let QC = c.numAttentionHeads * HD, QKV = QC + 2 * c.numKeyValueHeads * HD
        return baseRunsInBF16(layout.lmHead!, count: c.vocabSize * C) && layout.layers.allSatisfy { w in
            baseRunsInBF16(w.q, count: QKV * C) && baseRunsInBF16(w.o, count: C * QC)
                && baseRunsInBF16(w.gate, count: 2 * I * C) && baseRunsInBF16(w.down, count: C * I)
        }
    }

    /// Runs `body` with one bf16 snapshot of the weights shared by every inference call inside it that runs in
    /// `precision` (by default `inferencePrecision` at the start; the snapshot is made when that is bf16 or the
    /// base runs in bf16), instead of one snapshot per call; calls in another precision pack as usual. The weights
    /// and `basePrecision` must not change inside `body`; adapters may be switched, since their terms run in fp32
    /// beside the packed products. Inside a pin for the same precision, that one serves; inside one for another
    /// precision, the new pin serves until `body` ends, then the outer one again.
    public func withPinnedInferenceWeights<T>(in precision: InferencePrecision? = nil, _ body: () throws -> T) rethrows -> T {
        let current = inferencePrecision
        if let precision { inferencePrecision = precision }
        let outer = pinnedPackedWeights
        let packed = inferencePackedWeights()
        inferencePrecision = current
        guard let packed, packed !== outer else { return try body() }
        pinnedPackedWeights = packed
        defer { pinnedPackedWeights = outer }
        return try body()
    }
}
