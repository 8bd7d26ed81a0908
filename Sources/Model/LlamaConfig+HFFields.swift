/// Hugging Face `config.json` fields beyond the core sizes: the RoPE spellings of transformers 4 and 5,
/// token-id lists, and the fields whose non-default values this model cannot honour.
extension LlamaConfig {
    /// Keys read (never written) to interpret or refuse a Hugging Face config.
    private enum HFKeys: String, CodingKey {
        case ropeScaling = "rope_scaling"
        case ropeParameters = "rope_parameters"
        case ropeTheta = "rope_theta"
        case partialRotaryFactor = "partial_rotary_factor"
        case attentionBias = "attention_bias"
        case mlpBias = "mlp_bias"
        case attentionDropout = "attention_dropout"
        case quantizationConfig = "quantization_config"
        case maxPositionEmbeddings = "max_position_embeddings"
    }

    /// A `rope_scaling` or `rope_parameters` object as written by transformers 4 or 5.
    private struct RoPERecord: Decodable {
        var ropeType: String?
        var type: String?
        var ropeTheta: Float?
        var factor: Double?
        var lowFreqFactor: Double?
        var highFreqFactor: Double?
        var originalMaxPositionEmbeddings: Int?
        var partialRotaryFactor: Double?

        enum CodingKeys: String, CodingKey {
            case ropeType = "rope_type", type, ropeTheta = "rope_theta", factor
            case lowFreqFactor = "low_freq_factor", highFreqFactor = "high_freq_factor"
            case originalMaxPositionEmbeddings = "original_max_position_embeddings"
            case partialRotaryFactor = "partial_rotary_factor"
        }

        /// Whether no field this reader knows is set (transformers treats `{}` like an absent object).
        var isEmpty: Bool {
            ropeType == nil && type == nil && ropeTheta == nil && factor == nil && lowFreqFactor == nil
                && highFreqFactor == nil && originalMaxPositionEmbeddings == nil && partialRotaryFactor == nil
        }
    }

    /// The RoPE base and scaling, resolved as transformers does: a non-empty `rope_scaling` wins over
    /// `rope_parameters`; θ comes from that object's `rope_theta`, else the top-level `rope_theta`, else 10,000.
    static func decodeRoPE(from decoder: Decoder) throws -> (theta: Float, scaling: RoPEScaling?) {
        let c = try decoder.container(keyedBy: HFKeys.self)
        let topTheta = try c.decodeIfPresent(Float.self, forKey: .ropeTheta)
        var source = HFKeys.ropeScaling
        var record = try c.decodeIfPresent(RoPERecord.self, forKey: .ropeScaling)
        if record?.isEmpty ?? true {
            source = .ropeParameters
            record = try c.decodeIfPresent(RoPERecord.self, forKey: .ropeParameters)
        }
        let theta = record?.ropeTheta ?? topTheta ?? 10_000
        guard let record else { return (theta, nil) }
        func fail(_ field: String, _ why: String) -> ModelError {
            .invalidConfig(field: "\(source.stringValue).\(field)", reason: why)
        }
        if let partial = record.partialRotaryFactor, partial != 1 {
            throw fail("partial_rotary_factor", "is \(partial); only 1.0 (rotate the whole head) is supported")
        }
        let typeField = record.ropeType != nil ? "rope_type" : "type"
        let kindName = record.ropeType ?? record.type ?? "default"
        if kindName == "default" { return (theta, nil) }
        guard let kind = RoPEScaling.Kind(rawValue: kindName) else {
            throw fail(typeField, "is \"\(kindName)\"; supported: default, "
                + RoPEScaling.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                + " (yarn, dynamic and longrope depend on the sequence length and are not implemented)")
        }
        guard let factor = record.factor else { throw fail("factor", "is required for rope_type \(kindName)") }
        var scaling = RoPEScaling(kind: kind, factor: factor)
        if kind == .llama3 {
            scaling.lowFreqFactor = record.lowFreqFactor
            scaling.highFreqFactor = record.highFreqFactor
            scaling.originalMaxPositionEmbeddings = try record.originalMaxPositionEmbeddings
                ?? c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings)
        }
        do {
            try scaling.validate()
        } catch ModelError.invalidConfig(let field, let reason) {
            throw ModelError.invalidConfig(field: field.replacingOccurrences(of: "rope_scaling", with: source.stringValue),
                                           reason: reason)
        }
        return (theta, scaling)
    }

    /// A token id written as a number or as a list (transformers allows several EOS ids); a list must
    /// hold exactly one id, since generation here stops at one.
    static func decodeTokenId(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int32 {
        if let ids = try? c.decode([Int32].self, forKey: key) {
            guard ids.count == 1 else {
                throw ModelError.invalidConfig(field: key.stringValue, reason: "lists \(ids.count) ids \(ids); only one "
                    + "end-of-sequence id is supported, so keep the one the chat template ends turns with")
            }
            return ids[0]
        }
        return try c.decode(Int32.self, forKey: key)
    }

    /// Throws `invalidConfig` naming the first field whose value needs something this model does not have
    /// (biases, attention dropout, partial rotary embeddings, quantization).
    static func rejectUnsupportedFields(_ decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: HFKeys.self)
        for (key, what) in [(HFKeys.attentionBias, "q/k/v/o projection biases"), (.mlpBias, "MLP biases")]
        where try c.decodeIfPresent(Bool.self, forKey: key) == true {
            throw ModelError.invalidConfig(field: key.stringValue, reason: "is true; \(what) are not supported (LLaMA has none)")
        }
        if let dropout = try c.decodeIfPresent(Double.self, forKey: .attentionDropout), dropout != 0 {
            throw ModelError.invalidConfig(field: "attention_dropout", reason: "is \(dropout); dropout is not implemented, set it to 0.0")
        }
        if let partial = try c.decodeIfPresent(Double.self, forKey: .partialRotaryFactor), partial != 1 {
            throw ModelError.invalidConfig(field: "partial_rotary_factor", reason: "is \(partial); only 1.0 is supported")
        }
        if c.contains(.quantizationConfig), try !c.decodeNil(forKey: .quantizationConfig) {
            throw ModelError.invalidConfig(field: "quantization_config", reason: "is set; quantized safetensors (GPTQ, AWQ, "
                + "bitsandbytes) are not supported: use the unquantized checkpoint or a GGUF file")
        }
    }
}
