/// One named tensor inside the contiguous parameter buffer.
public struct ParameterSlice: Equatable, Sendable {
    /// Hugging Face tensor name, e.g. `model.layers.0.self_attn.q_proj.weight`.
    public let name: String
    /// Row-major shape as stored in safetensors.
    public let shape: [Int]
    /// Offset of the first element in the buffer.
    public let offset: Int
    /// Whether AdamW applies weight decay (matrices yes, norms no).
    public let decays: Bool

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
}

/// Offsets of one transformer block's tensors in the parameter buffer.
///
/// q, k, v are adjacent (one (NH+2·NKV)·HD × C matrix from `q`) and so are gate, up (one 2·I × C matrix
/// from `gate`), so each group is one matrix product.
struct LayerOffsets {
    /// Offsets of the block's norms and projection matrices.
    let inputNorm, q, k, v, o, postNorm, gate, up, down: Int
}

/// Named slices of the one parameter buffer, computed from the config.
///
/// Tensors are grouped by layer (embedding, then each block's input norm, q, k, v, o, post-attention
/// norm, gate, up, down, then the final norm and head); checkpoints are read and written by name, so
/// the order only matters for speed.
public struct ParameterLayout: Sendable {
    /// All tensors in buffer order.
    public let slices: [ParameterSlice]
    /// Total number of parameters.
    public let count: Int
    private let index: [String: Int]
    /// Index in `slices` of the slice starting at each offset.
    private let indexByOffset: [Int: Int]
    /// Offset of `model.embed_tokens.weight`.
    let embed: Int
    /// Offset of `model.norm.weight`.
    let finalNorm: Int
    /// Offset of the LM head matrix (the embedding when tied); nil for a scalar-head model.
    let lmHead: Int?
    /// Offset of `score.weight`; nil for a causal LM.
    let score: Int?
    /// Offsets of each block's tensors.
    let layers: [LayerOffsets]

    /// Builds the layout of a config.
    public init(config c: LlamaConfig) {
        var slices: [ParameterSlice] = []
        var offset = 0
        func add(_ name: String, _ shape: [Int], decays: Bool) -> Int {
            let s = ParameterSlice(name: name, shape: shape, offset: offset, decays: decays)
            slices.append(s)
            offset += s.count
            return s.offset
        }
        let C = c.hiddenSize, HD = c.headDim, I = c.intermediateSize
        let L = c.numHiddenLayers
        embed = add("model.embed_tokens.weight", [c.vocabSize, C], decays: true)
        let QC = c.numAttentionHeads * HD, KC = c.numKeyValueHeads * HD
        layers = (0..<L).map { l -> LayerOffsets in
            // Arguments are evaluated left to right, which is the buffer order.
            func tensor(_ suffix: String, _ shape: [Int], decays: Bool = true) -> Int {
                add("model.layers.\(l).\(suffix)", shape, decays: decays)
            }
            return LayerOffsets(
                inputNorm: tensor("input_layernorm.weight", [C], decays: false),
                q: tensor("self_attn.q_proj.weight", [QC, C]), k: tensor("self_attn.k_proj.weight", [KC, C]),
                v: tensor("self_attn.v_proj.weight", [KC, C]), o: tensor("self_attn.o_proj.weight", [C, QC]),
                postNorm: tensor("post_attention_layernorm.weight", [C], decays: false),
                gate: tensor("mlp.gate_proj.weight", [I, C]), up: tensor("mlp.up_proj.weight", [I, C]),
                down: tensor("mlp.down_proj.weight", [C, I]))
        }
        finalNorm = add("model.norm.weight", [C], decays: false)
        if c.hasScalarHead {
            lmHead = nil
            score = add("score.weight", [1, C], decays: true)
        } else {
            lmHead = c.tieWordEmbeddings ? embed : add("lm_head.weight", [c.vocabSize, C], decays: true)
            score = nil
        }
        count = offset
        self.slices = slices
        index = Dictionary(uniqueKeysWithValues: slices.enumerated().map { ($1.name, $0) })
        indexByOffset = Dictionary(uniqueKeysWithValues: slices.enumerated().map { ($1.offset, $0) })
    }

    /// The slice with this HF name, or nil.
    public func slice(named name: String) -> ParameterSlice? { index[name].map { slices[$0] } }

    /// Index in `slices` of the tensor with this HF name, or nil.
    func sliceIndex(named name: String) -> Int? { index[name] }

    /// Index in `slices` of the tensor starting at buffer offset `offset` (a tied head's is the embedding's), or nil.
    func sliceIndex(offset: Int) -> Int? { indexByOffset[offset] }
}
