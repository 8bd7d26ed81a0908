import EngineCore
import Model

/// The `model` param of a training stage: a preset name or an object of LlamaConfig sizes.
///
/// `{"preset": "tiny"}` or `{"hidden_size": 128, "intermediate_size": 352, "num_hidden_layers": 4,
/// "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 128}`; missing
/// sizes come from the `tiny` preset. The vocabulary is always the byte tokenizer's.
enum ModelSpec {
    /// The keys an object spec may hold.
    static let keys = ["preset", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                       "num_key_value_heads", "max_position_embeddings", "rope_theta", "initializer_range"]

    /// The causal-LM config described by param `name`, validated.
    static func config(_ params: Params, name: String = "model") throws -> LlamaConfig {
        let object = params.values[name]?.objectValue ?? [:]
        if let raw = params.values[name], raw.objectValue == nil {
            throw params.error(name, "must be an object like {\"preset\": \"tiny\"} or {\"hidden_size\": 128, ...}")
        }
        for key in object.keys.sorted() where !keys.contains(key) {
            throw params.error("\(name).\(key)", "is unknown; known keys: \(keys.joined(separator: ", "))")
        }
        let inner = Params(node: params.node, values: object)
        let presetName = try inner.string("preset", default: ModelPreset.tiny.rawValue)
        guard let preset = ModelPreset(rawValue: presetName) else {
            throw params.error("\(name).preset", "must be one of \(ModelPreset.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var config = preset.config
        config.hiddenSize = try inner.int("hidden_size", default: config.hiddenSize, in: 2...8192)
        config.intermediateSize = try inner.int("intermediate_size", default: config.intermediateSize, in: 1...65536)
        config.numHiddenLayers = try inner.int("num_hidden_layers", default: config.numHiddenLayers, in: 1...128)
        config.numAttentionHeads = try inner.int("num_attention_heads", default: config.numAttentionHeads, in: 1...256)
        config.numKeyValueHeads = try inner.int("num_key_value_heads", default: config.numAttentionHeads, in: 1...256)
        config.maxPositionEmbeddings = try inner.int("max_position_embeddings", default: 256, in: 8...1_000_000)
        config.ropeTheta = Float(try inner.double("rope_theta", default: Double(config.ropeTheta), in: 1...1e9))
        config.initializerRange = Float(try inner.double("initializer_range", default: Double(config.initializerRange), in: 1e-5...1))
        do {
            try config.validate()
        } catch let error as ModelError {
            throw params.error(name, "describes an invalid model: \(error.description)")
        }
        return config
    }
}
