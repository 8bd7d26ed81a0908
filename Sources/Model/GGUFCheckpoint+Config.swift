import GGUF

/// The `LlamaConfig` a GGUF file's `general.*`, `llama.*` and `tokenizer.ggml.*` metadata describe.
extension GGUFCheckpoint {
    /// The config of the model in `file`, or `badCheckpoint` naming the metadata key that is missing or unsupported.
    public static func config(of file: GGUFFile) throws -> LlamaConfig {
        func fail(_ reason: String) -> ModelError { .badCheckpoint(path: file.source, reason: reason) }
        do {
            let architecture = try file.string("general.architecture") ?? "(none)"
            guard architecture == "llama" else {
                throw fail("general.architecture is '\(architecture)'; only 'llama' GGUF files load here")
            }
            func required(_ key: String) throws -> Int {
                guard let value = try file.int("llama." + key) else { throw GGUFError.missingMetadata(file: file.source, key: "llama." + key) }
                return value
            }
            let hidden = try required("embedding_length")
            let heads = try required("attention.head_count")
            var config = LlamaConfig(
                hiddenSize: hidden, intermediateSize: try required("feed_forward_length"),
                numHiddenLayers: try required("block_count"), numAttentionHeads: heads,
                numKeyValueHeads: try file.int("llama.attention.head_count_kv") ?? heads,
                vocabSize: try vocabularySize(file),
                maxPositionEmbeddings: try required("context_length"),
                tieWordEmbeddings: !file.contains("output.weight"),
                bosTokenId: 0, eosTokenId: 0, padTokenId: 0)
            if let keyLength = try file.int("llama.attention.key_length"), keyLength != config.headDim {
                config.explicitHeadDim = keyLength
            }
            config.rmsNormEps = Float(try file.double("llama.attention.layer_norm_rms_epsilon") ?? 1e-5)
            config.ropeTheta = Float(try file.double("llama.rope.freq_base") ?? 10_000)
            let eos = try file.int("tokenizer.ggml.eos_token_id") ?? 0
            config.eosTokenId = Int32(clamping: eos)
            config.bosTokenId = Int32(clamping: try file.int("tokenizer.ggml.bos_token_id") ?? eos)
            config.padTokenId = Int32(clamping: try file.int("tokenizer.ggml.padding_token_id") ?? eos)
            try checkUnsupported(file, config: config)
            try config.validate()
            return config
        } catch let error as GGUFError {
            throw fail(error.description)
        } catch let error as ModelError {
            if case .invalidConfig = error { throw fail("the llama.* metadata gives an invalid config: \(error.description)") }
            throw error
        }
    }

    /// The vocabulary size: `llama.vocab_size`, else the token list's length, else `token_embd`'s rows.
    static func vocabularySize(_ file: GGUFFile) throws -> Int {
        if let size = try file.int("llama.vocab_size") { return size }
        if case let .array(_, tokens)? = file.metadata["tokenizer.ggml.tokens"] { return tokens.count }
        return try file.info("token_embd.weight").shape.first ?? 0
    }

    /// Rejects features the model code does not implement, naming the key.
    private static func checkUnsupported(_ file: GGUFFile, config: LlamaConfig) throws {
        func fail(_ key: String, _ problem: String) -> ModelError {
            .badCheckpoint(path: file.source, reason: "\(key) \(problem), which is not supported")
        }
        if let rotary = try file.int("llama.rope.dimension_count"), rotary != config.headDim {
            throw fail("llama.rope.dimension_count", "is \(rotary) (partial rotary; head dim \(config.headDim))")
        }
        if let value = try file.int("llama.attention.value_length"), value != config.headDim {
            throw fail("llama.attention.value_length", "is \(value) but the key length is \(config.headDim)")
        }
        if let scaling = try file.string("llama.rope.scaling.type"), scaling != "none" {
            throw fail("llama.rope.scaling.type", "is '\(scaling)'")
        }
        if file.contains("rope_freqs.weight") {
            throw fail("tensor rope_freqs.weight", "holds RoPE frequency factors (llama3 scaling)")
        }
        if let experts = try file.int("llama.expert_count"), experts > 0 {
            throw fail("llama.expert_count", "is \(experts) (mixture of experts)")
        }
    }
}
