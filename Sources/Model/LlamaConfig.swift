/// Hyperparameters of a LLaMA-architecture model, in Hugging Face `config.json` field names.
///
/// A causal LM has architectures `["LlamaForCausalLM"]`; a scalar-head model (reward model or critic)
/// has `["LlamaForSequenceClassification"]` with `num_labels: 1` and a `score.weight` (1, hidden).
public struct LlamaConfig: Codable, Equatable, Sendable {
    /// HF architecture names; decides the head (see `hasScalarHead`).
    public var architectures: [String]
    /// Always "llama".
    public var modelType: String = "llama"
    /// Model width C.
    public var hiddenSize: Int
    /// SwiGLU hidden width.
    public var intermediateSize: Int
    /// Number of transformer blocks L.
    public var numHiddenLayers: Int
    /// Query heads NH.
    public var numAttentionHeads: Int
    /// Key/value heads NKV (divides NH).
    public var numKeyValueHeads: Int
    /// Vocabulary size V.
    public var vocabSize: Int
    /// Longest sequence (positions) the model supports.
    public var maxPositionEmbeddings: Int
    /// RMSNorm epsilon.
    public var rmsNormEps: Float = 1e-5
    /// RoPE base θ (`rope_theta`, or transformers 5's `rope_parameters.rope_theta`).
    public var ropeTheta: Float = 10_000
    /// Frequency rescaling (`rope_scaling`, or a scaled `rope_parameters`); nil for plain RoPE.
    public var ropeScaling: RoPEScaling?
    /// `head_dim` when config.json gives it; nil means hidden_size / num_attention_heads.
    public var explicitHeadDim: Int?
    /// Whether the LM head shares the token embedding matrix.
    public var tieWordEmbeddings: Bool = true
    /// Beginning-of-sequence token id.
    public var bosTokenId: Int32
    /// End-of-sequence token id.
    public var eosTokenId: Int32
    /// Padding token id.
    public var padTokenId: Int32
    /// Std of the normal initialisation of matrices.
    public var initializerRange: Float = 0.02
    /// Activation of the MLP (always "silu").
    public var hiddenAct: String = "silu"
    /// Parameter dtype on disk: "float32", or "bfloat16" for a checkpoint saved with `CheckpointDType.bf16`.
    public var torchDtype: String = "float32"
    /// Outputs of a sequence-classification head (1 for a scalar head); nil for a causal LM.
    public var numLabels: Int?

    enum CodingKeys: String, CodingKey {
        case architectures
        case modelType = "model_type"
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads"
        case vocabSize = "vocab_size"
        case maxPositionEmbeddings = "max_position_embeddings"
        case rmsNormEps = "rms_norm_eps"
        case ropeTheta = "rope_theta"
        case ropeScaling = "rope_scaling"
        case explicitHeadDim = "head_dim"
        case tieWordEmbeddings = "tie_word_embeddings"
        case bosTokenId = "bos_token_id"
        case eosTokenId = "eos_token_id"
        case padTokenId = "pad_token_id"
        case initializerRange = "initializer_range"
        case hiddenAct = "hidden_act"
        case torchDtype = "torch_dtype"
        case numLabels = "num_labels"
    }

    /// HF architecture name of a causal LM.
    public static let causalLMArchitecture = "LlamaForCausalLM"
    /// HF architecture name of a scalar-head model.
    public static let scalarHeadArchitecture = "LlamaForSequenceClassification"

    /// Creates a causal-LM config with the byte tokenizer's special ids by default.
    public init(
        hiddenSize: Int, intermediateSize: Int, numHiddenLayers: Int, numAttentionHeads: Int,
        numKeyValueHeads: Int, vocabSize: Int = 262, maxPositionEmbeddings: Int = 1024,
        tieWordEmbeddings: Bool = true, bosTokenId: Int32 = 256, eosTokenId: Int32 = 257, padTokenId: Int32 = 258
    ) {
        architectures = [Self.causalLMArchitecture]
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads
        self.vocabSize = vocabSize
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.tieWordEmbeddings = tieWordEmbeddings
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.padTokenId = padTokenId
    }

    /// Decodes a Hugging Face config; absent optional fields take transformers' LlamaConfig defaults,
    /// and fields this model cannot honour (see `LlamaConfig+HFFields.swift`) throw `invalidConfig`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architectures = try c.decodeIfPresent([String].self, forKey: .architectures) ?? [Self.causalLMArchitecture]
        modelType = try c.decodeIfPresent(String.self, forKey: .modelType) ?? "llama"
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        numHiddenLayers = try c.decode(Int.self, forKey: .numHiddenLayers)
        numAttentionHeads = try c.decode(Int.self, forKey: .numAttentionHeads)
        numKeyValueHeads = try c.decodeIfPresent(Int.self, forKey: .numKeyValueHeads) ?? numAttentionHeads
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        maxPositionEmbeddings = try c.decode(Int.self, forKey: .maxPositionEmbeddings)
        rmsNormEps = try c.decodeIfPresent(Float.self, forKey: .rmsNormEps) ?? 1e-6 // transformers' default
        let rope = try Self.decodeRoPE(from: decoder)
        ropeTheta = rope.theta
        ropeScaling = rope.scaling
        explicitHeadDim = try c.decodeIfPresent(Int.self, forKey: .explicitHeadDim)
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false // as transformers
        bosTokenId = try c.decode(Int32.self, forKey: .bosTokenId)
        eosTokenId = try Self.decodeTokenId(c, .eosTokenId)
        padTokenId = try c.decodeIfPresent(Int32.self, forKey: .padTokenId) ?? eosTokenId
        initializerRange = try c.decodeIfPresent(Float.self, forKey: .initializerRange) ?? 0.02
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? "silu"
        torchDtype = try c.decodeIfPresent(String.self, forKey: .torchDtype) ?? "float32"
        numLabels = try c.decodeIfPresent(Int.self, forKey: .numLabels)
        try Self.rejectUnsupportedFields(decoder)
    }

    /// Per-head dimension HD: `head_dim` when given, else C / NH.
    public var headDim: Int { explicitHeadDim ?? hiddenSize / numAttentionHeads }

    /// True for a LlamaForSequenceClassification model with one label (scalar head, no LM head).
    public var hasScalarHead: Bool { architectures.contains(Self.scalarHeadArchitecture) }

    /// The same trunk with a scalar head (`score.weight` (1, hidden)) instead of the LM head.
    public func withScalarHead() -> LlamaConfig {
        var c = self
        c.architectures = [Self.scalarHeadArchitecture]
        c.numLabels = 1
        return c
    }
}
