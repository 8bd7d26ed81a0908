/// Named model sizes; both use the byte tokenizer's 262-token vocabulary.
public enum ModelPreset: String, CaseIterable, Sendable {
    /// hidden 128, 4 layers, 4 heads, 4 KV heads, intermediate 352.
    case tiny
    /// hidden 384, 6 layers, 6 heads, 2 KV heads, intermediate 1024.
    case small

    /// The causal-LM config of this preset.
    public var config: LlamaConfig {
        switch self {
        case .tiny:
            return LlamaConfig(hiddenSize: 128, intermediateSize: 352, numHiddenLayers: 4,
                               numAttentionHeads: 4, numKeyValueHeads: 4)
        case .small:
            return LlamaConfig(hiddenSize: 384, intermediateSize: 1024, numHiddenLayers: 6,
                               numAttentionHeads: 6, numKeyValueHeads: 2)
        }
    }
}
