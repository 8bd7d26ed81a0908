import Kernels

/// A LLaMA-architecture transformer whose parameters and gradients each live in one contiguous buffer.
///
/// Training: `forward(_:)` then `backward(dLogits:dValues:)` with any upstream gradient, which
/// accumulates into `gradients` until `zeroGradients()`; an `AdamW` optimizer then updates `parameters`.
public final class LlamaModel {
    /// The architecture and sizes.
    public let config: LlamaConfig
    /// Named slices of the buffers.
    public let layout: ParameterLayout
    /// All parameters, laid out by `layout`.
    public let parameters: FloatBuffer
    /// Gradients of the trainable slices only, packed in layout order (see `GradientLayout`; every slice
    /// trainable: the parameter layout itself). Allocated on first use, so a frozen model (a reference, a LoRA
    /// base) holds none, and a LoRA reward model or a head-only critic only its head's.
    public var gradients: FloatBuffer {
        if let gradientStorage { return gradientStorage }
        let buffer = FloatBuffer(count: gradientLayout.count)
        gradientStorage = buffer
        return buffer
    }
    /// The gradient buffer once something has used it.
    var gradientStorage: FloatBuffer?
    /// Whether the gradient buffer has been allocated.
    var hasGradientBuffer: Bool { gradientStorage != nil }
    /// Where each trainable slice's gradient lives in `gradients`; follows `trainable`.
    var gradientLayout: GradientLayout
    /// Per slice of `layout.slices`: whether it trains (frozen slices get no gradient storage and no update).
    public private(set) var trainable: [Bool] {
        didSet { if trainable != oldValue { regroupGradients(previous: gradientLayout) } }
    }
    /// RoPE cos table (maxPositions, HD/2).
    let ropeCos: FloatBuffer
    /// RoPE sin table (maxPositions, HD/2).
    let ropeSin: FloatBuffer
    /// Saved activations of the last training forward (reused while batches fit).
    var activations: Activations?
    /// The batch of the last forward when it was a training forward, for backward (nil after a scoring forward).
    var lastBatch: Batch?
    /// Buffers of scoring forwards (one layer's worth, shared by every layer; reused while batches fit), so scoring
    /// large chunks never grows the saved training activations.
    var scoringActivations: Activations?
    /// The activations and batch of the last forward of either kind, whose final hidden states can still be read.
    var lastForward: (activations: Activations, batch: Batch)?
    /// Sampling defaults of the checkpoint this model came from (written to generation_config.json).
    public var samplingDefaults: SamplingDefaults?
    /// The attached LoRA adapter, if any (see `LlamaModel+LoRA.swift`).
    public internal(set) var adapter: LoRAAdapter?
    /// Precision of the products in KV-cache generation and `nextTokenLogProbs` (fp32 by default; see
    /// `InferencePrecision`). Training, `forward` and `backward` stay fp32 unless `basePrecision` says otherwise.
    public var inferencePrecision: InferencePrecision = .fp32
    /// A bf16 snapshot of the weights that inference calls share instead of packing their own (`withPinnedInferenceWeights`).
    var pinnedPackedWeights: PackedBF16Weights?
    /// Frozen base matrices' bf16 packings kept while `withPinnedBaseWeights` runs.
    var pinnedBasePackings: PinnedBasePackings?
    /// Precision of training products with frozen base matrices (fp32 by default; see `BasePrecision` and
    /// `LlamaModel+BF16Base.swift`); set through `setBasePrecision(_:)`.
    public private(set) var basePrecision: BasePrecision = .fp32
    /// Rows of logits the LM head computes at once in training and scoring (see `crossEntropyHead`).
    var headChunkRows: Int

    /// A model with parameters from `N(0, initializer_range)` (norms at 1), drawn from `seed`.
    public convenience init(config: LlamaConfig, seed: UInt64) throws {
        try self.init(config: config)
        var rng = Xoshiro256(seed: seed)
        let std = Double(config.initializerRange)
        for s in layout.slices {
            let p = parameters.pointer + s.offset
            if s.shape.count == 1 {
                p.update(repeating: 1, count: s.count)
            } else {
                for i in 0..<s.count { p[i] = Float(rng.nextNormal() * std) }
            }
        }
    }

    /// A model with all parameters zero (to be filled, e.g. by a checkpoint load).
    public init(config: LlamaConfig) throws {
        try config.validate()
        self.config = config
        layout = ParameterLayout(config: config)
        parameters = FloatBuffer(count: layout.count)
        trainable = Array(repeating: true, count: layout.slices.count)
        gradientLayout = GradientLayout(layout: layout, trainable: trainable)
        headChunkRows = Self.defaultHeadChunkRows(vocabSize: config.vocabSize)
        let tables = RoPE.tables(maxPositions: config.maxPositionEmbeddings,
                                 inverseFrequencies: config.ropeInverseFrequencies)
        ropeCos = FloatBuffer(count: tables.cos.count)
        ropeCos.copy(from: tables.cos)
        ropeSin = FloatBuffer(count: tables.sin.count)
        ropeSin.copy(from: tables.sin)
    }

    /// An independent copy of `other`'s config, parameters and trainable flags (e.g. PPO's frozen reference).
    public convenience init(copying other: LlamaModel) throws {
        try self.init(config: other.config)
        parameters.copy(from: other.parameters, sourceOffset: 0, offset: 0, count: layout.count)
        trainable = other.trainable
        samplingDefaults = other.samplingDefaults
    }

    /// Number of parameters.
    public var parameterCount: Int { layout.count }

    /// Sets `basePrecision`; throws `invalidConfig` for bf16 on a CPU without AVX-512 BF16.
    public func setBasePrecision(_ precision: BasePrecision) throws {
        try precision.checkSupported(field: "base_precision")
        basePrecision = precision
    }

    /// Marks the slices whose HF name satisfies `predicate` as trainable or frozen (a frozen slice's gradient storage
    /// goes; a newly trainable one's starts at zero).
    public func setTrainable(_ value: Bool, where predicate: (String) -> Bool) {
        var flags = trainable
        for (i, s) in layout.slices.enumerated() where predicate(s.name) { flags[i] = value }
        trainable = flags
    }

    /// Freezes everything except the head (`score.weight`, or `lm_head.weight` when untied).
    public func freezeAllButHead() {
        setTrainable(false) { _ in true }
        setTrainable(true) { $0 == "score.weight" || $0 == "lm_head.weight" }
    }

    /// The values of one named tensor.
    public func parameter(named name: String) throws -> [Float] {
        guard let s = layout.slice(named: name) else { throw ModelError.unknownParameter(name) }
        return parameters.array(offset: s.offset, count: s.count)
    }

    /// Overwrites one named tensor; `values` must have its element count.
    public func setParameter(named name: String, to values: [Float]) throws {
        guard let s = layout.slice(named: name) else { throw ModelError.unknownParameter(name) }
        guard values.count == s.count else {
            throw ModelError.shapeMismatch(what: name, expected: s.count, got: values.count)
        }
        parameters.copy(from: values, offset: s.offset)
    }

    /// Copies every tensor that both models have with equal shapes from `other` (e.g. an SFT trunk into a
    /// reward model); returns the names copied.
    @discardableResult
    public func copyMatchingParameters(from other: LlamaModel) -> [String] {
        var copied: [String] = []
        for s in layout.slices {
            guard let o = other.layout.slice(named: s.name), o.shape == s.shape else { continue }
            parameters.copy(from: other.parameters, sourceOffset: o.offset, offset: s.offset, count: s.count)
            copied.append(s.name)
        }
        return copied
    }

    /// Whether the slice at this buffer offset trains (tied head counts as the embedding).
    func isTrainable(offset: Int) -> Bool {
        guard let i = layout.sliceIndex(offset: offset) else { return false }
        return trainable[i]
    }

    /// Parameter pointer at `offset`.
    func param(_ offset: Int) -> UnsafeMutablePointer<Float> { parameters.pointer + offset }
}
