import Foundation

/// Consistency and size checks of a config, run before anything is allocated from it.
extension LlamaConfig {
    /// Largest `vocab_size` accepted (16.7M; real vocabularies stay below 300k).
    public static let vocabLimit = 1 << 24
    /// Largest `hidden_size` and `intermediate_size` accepted.
    public static let widthLimit = 1 << 20
    /// Largest `num_hidden_layers`, head count and `head_dim` accepted.
    public static let countLimit = 1 << 12
    /// Largest `max_position_embeddings` accepted (positions are Int32 and index the RoPE tables).
    public static let maxPositionLimit = 1 << 24

    /// Checks the sizes fit together and the model fits in memory; throws `ModelError.invalidConfig` naming
    /// the field and the fix.
    public func validate() throws {
        func fail(_ field: String, _ why: String) -> ModelError { .invalidConfig(field: field, reason: why) }
        if modelType != "llama" { throw fail("model_type", "is \"\(modelType)\", expected \"llama\"") }
        for (name, value, limit) in [("hidden_size", hiddenSize, Self.widthLimit),
                                     ("intermediate_size", intermediateSize, Self.widthLimit),
                                     ("num_hidden_layers", numHiddenLayers, Self.countLimit),
                                     ("num_attention_heads", numAttentionHeads, Self.countLimit),
                                     ("num_key_value_heads", numKeyValueHeads, Self.countLimit),
                                     ("vocab_size", vocabSize, Self.vocabLimit),
                                     ("max_position_embeddings", maxPositionEmbeddings, Self.maxPositionLimit),
                                     ("head_dim", explicitHeadDim ?? 2, Self.countLimit)] {
            if value <= 0 { throw fail(name, "must be positive, got \(value)") }
            if value > limit { throw fail(name, "is \(value), larger than the \(limit) this model supports") }
        }
        if explicitHeadDim == nil && hiddenSize % numAttentionHeads != 0 {
            throw fail("hidden_size", "\(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads); "
                + "set head_dim if the heads are not hidden_size / num_attention_heads wide")
        }
        if headDim % 2 != 0 { throw fail(explicitHeadDim == nil ? "hidden_size" : "head_dim", "head dimension \(headDim) must be even for RoPE") }
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
        if !(ropeTheta > 0) || !ropeTheta.isFinite { throw fail("rope_theta", "must be a positive number") }
        try ropeScaling?.validate()
        try checkMemory(limit: Int(clamping: ProcessInfo.processInfo.physicalMemory))
    }

    /// Bytes a `LlamaModel` of this config allocates: parameters and gradients (Float each) and the RoPE
    /// cos/sin tables, by part; nil when the count overflows `Int`.
    ///
    /// Call after the per-field limits of `validate()`, which keep each factor small.
    func memoryEstimate() -> (embedding: Int, layers: Int, rope: Int)? {
        let C = hiddenSize, I = intermediateSize, HD = headDim
        let heads = numAttentionHeads + numKeyValueHeads
        let headCount = hasScalarHead || tieWordEmbeddings ? 1 : 2
        guard let embedding = Self.product(8, vocabSize, C, headCount), // parameters + gradients, 4 bytes each
              let perLayer = Self.sum(Self.product(2, C, HD, heads), // q, k, v, o
                                      Self.product(3, C, I), Self.product(2, C)),
              let layers = Self.product(8, perLayer, numHiddenLayers),
              let rope = Self.product(4, maxPositionEmbeddings, HD) // cos and sin, (P, HD/2) each
        else { return nil }
        return (embedding, layers, rope)
    }

    /// Throws `invalidConfig` when the model would need more than `limit` bytes, naming the largest part.
    func checkMemory(limit: Int) throws {
        let gib = { (bytes: Int) in String(format: "%.1f GiB", Double(bytes) / Double(1 << 30)) }
        guard let e = memoryEstimate(), let total = Self.sum(e.embedding, e.layers, e.rope) else {
            throw ModelError.invalidConfig(field: "vocab_size", reason: "with these sizes the parameter count overflows")
        }
        guard total > limit else { return }
        let field = e.rope >= max(e.embedding, e.layers) ? "max_position_embeddings"
            : e.embedding >= e.layers ? "vocab_size" : "num_hidden_layers"
        throw ModelError.invalidConfig(field: field, reason: "makes the model need about \(gib(total)) for parameters, "
            + "gradients and RoPE tables (embedding \(gib(e.embedding)), layers \(gib(e.layers)), RoPE \(gib(e.rope))), "
            + "more than the \(gib(limit)) of memory here; use a smaller config or a machine with more memory")
    }

    /// The product of `factors`, or nil on overflow.
    private static func product(_ factors: Int...) -> Int? {
        var result = 1
        for f in factors {
            let (p, overflow) = result.multipliedReportingOverflow(by: f)
            if overflow { return nil }
            result = p
        }
        return result
    }

    /// The sum of `terms`, or nil when one is nil or the sum overflows.
    private static func sum(_ terms: Int?...) -> Int? {
        var result = 0
        for t in terms {
            guard let t else { return nil }
            let (s, overflow) = result.addingReportingOverflow(t)
            if overflow { return nil }
            result = s
        }
        return result
    }
}
