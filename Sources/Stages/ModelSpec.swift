import EngineCore
import Model

/// The `model` param of a training stage: a preset name or an object of LlamaConfig sizes.
///
/// `{"preset": "tiny"}` or `{"hidden_size": 128, "intermediate_size": 352, "num_hidden_layers": 4,
/// "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 128}`; missing
/// sizes come from the preset (default `tiny`). The vocabulary is always the byte tokenizer's.
struct ModelSpec: ParamDeclarations {
    /// The preset the sizes start from.
    let preset = Param.choice("preset", default: ModelPreset.tiny, "preset the other sizes start from")
    /// Model width.
    let hiddenSize = Param.integer("hidden_size", default: nil, derived: "from the preset", in: 2...8192, "model width")
    /// MLP width.
    let intermediateSize = Param.integer("intermediate_size", default: nil, derived: "from the preset", in: 1...65536, "SwiGLU MLP width")
    /// Transformer blocks.
    let numHiddenLayers = Param.integer("num_hidden_layers", default: nil, derived: "from the preset", in: 1...128, "transformer blocks")
    /// Query heads.
    let numAttentionHeads = Param.integer("num_attention_heads", default: nil, derived: "from the preset", in: 1...256, "attention heads")
    /// Key/value heads.
    let numKeyValueHeads = Param.integer("num_key_value_heads", default: nil, derived: "num_attention_heads when that is set, else from the preset",
                                         in: 1...256,
                                         "key/value heads (grouped-query attention)")
    /// Context length.
    let maxPositionEmbeddings = Param.integer("max_position_embeddings", default: 256, in: 8...1_000_000, "longest sequence")
    /// RoPE base.
    let ropeTheta = Param.number("rope_theta", default: nil, derived: "from the preset", in: 1...1e9, "RoPE base θ")
    /// Init scale.
    let initializerRange = Param.number("initializer_range", default: nil, derived: "from the preset", in: 1e-5...1,
                                        "standard deviation of the initial weights")

    /// The declarations of the object keys.
    static let fields = ModelSpec()

    /// The `model` param itself.
    static let param = Param.object("model", fields: fields.specs, derived: "{\"preset\": \"tiny\"}",
                                    "{\"preset\": \"tiny\"|\"small\"} or LlamaConfig sizes")

    /// The rule that the sizes describe a valid model (heads divide the width, ...), checked at load.
    static let rule = ParamRule.stage("model: the sizes must describe a valid LlamaConfig") { params, _ in _ = try config(params) }

    /// The causal-LM config described by the `model` param, validated.
    static func config(_ params: Params) throws -> LlamaConfig {
        let inner = Params(node: params.node, values: try params.value(param))
        do {
            let fields = Self.fields
            var config = try inner.value(fields.preset).config
            config.hiddenSize = try inner.value(fields.hiddenSize, default: config.hiddenSize)
            config.intermediateSize = try inner.value(fields.intermediateSize, default: config.intermediateSize)
            config.numHiddenLayers = try inner.value(fields.numHiddenLayers, default: config.numHiddenLayers)
            // Heads set without KV heads means plain multi-head attention; otherwise the preset's grouping stays.
            let kvDefault = inner.isSet(fields.numAttentionHeads) ? try inner.value(fields.numAttentionHeads) : config.numKeyValueHeads
            config.numAttentionHeads = try inner.value(fields.numAttentionHeads, default: config.numAttentionHeads)
            config.numKeyValueHeads = try inner.value(fields.numKeyValueHeads, default: kvDefault)
            config.maxPositionEmbeddings = try inner.value(fields.maxPositionEmbeddings)
            config.ropeTheta = Float(try inner.value(fields.ropeTheta, default: Double(config.ropeTheta)))
            config.initializerRange = Float(try inner.value(fields.initializerRange, default: Double(config.initializerRange)))
            try config.validate()
            return config
        } catch let StagesError.invalidParam(_, field, message) {
            throw params.error(param, field: field, message)
        } catch let error as ModelError {
            throw params.error(param, "describes an invalid model: \(error.description)")
        }
    }
}
