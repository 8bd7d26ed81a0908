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

extension LlamaConfig {
    /// Checks the sizes fit together; throws `ModelError.invalidConfig` naming the field and the fix.
    public func validate() throws {
        func fail(_ field: String, _ why: String) -> ModelError { .invalidConfig(field: field, reason: why) }
        if modelType != "llama" { throw fail("model_type", "is \"\(modelType)\", expected \"llama\"") }
        for (name, value) in [("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                              ("num_hidden_layers", numHiddenLayers), ("num_attention_heads", numAttentionHeads),
                              ("num_key_value_heads", numKeyValueHeads), ("vocab_size", vocabSize),
                              ("max_position_embeddings", maxPositionEmbeddings)] where value <= 0 {
            throw fail(name, "must be positive, got \(value)")
        }
        if hiddenSize % numAttentionHeads != 0 {
            throw fail("hidden_size", "\(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
        }
        if headDim % 2 != 0 { throw fail("hidden_size", "head dimension \(headDim) must be even for RoPE") }
        if numAttentionHeads % numKeyValueHeads != 0 {
            throw fail("num_key_value_heads", "\(numKeyValueHeads) must divide num_attention_heads \(numAttentionHeads)")
        }
        for (name, id) in [("bos_token_id", bosTokenId), ("eos_token_id", eosTokenId), ("pad_token_id", padTokenId)]
        where id < 0 || Int(id) >= vocabSize {
            throw fail(name, "\(id) is outside the vocabulary 0..<\(vocabSize)")
        }
        if hiddenAct != "silu" { throw fail("hidden_act", "is \"\(hiddenAct)\", only \"silu\" is supported") }
        if hasScalarHead && numLabels != 1 {
            throw fail("num_labels", "a LlamaForSequenceClassification model here needs num_labels 1")
        }
        if !hasScalarHead && !architectures.contains(Self.causalLMArchitecture) {
            throw fail("architectures", "\(architectures) has neither LlamaForCausalLM nor LlamaForSequenceClassification")
        }
        if !(rmsNormEps > 0) { throw fail("rms_norm_eps", "must be positive") }
        if !(ropeTheta > 0) { throw fail("rope_theta", "must be positive") }
    }
}
