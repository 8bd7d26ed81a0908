import Model

/// One generated response to a prompt.
public struct Completion: Codable, Equatable, Sendable {
    /// The prompt text.
    public var prompt: String
    /// The response text without the closing EOS; special tokens the model emitted appear as `<|...|>`.
    public var text: String
    /// Whether generation ended at EOS.
    public var reachedEOS: Bool
    /// Number of generated tokens (EOS included).
    public var tokenCount: Int
    /// Sampling temperature (0: greedy).
    public var temperature: Double

    /// JSON keys (snake_case).
    enum CodingKeys: String, CodingKey {
        case prompt
        case text
        case reachedEOS = "reached_eos"
        case tokenCount = "token_count"
        case temperature
    }
}

/// Generates chat-formatted responses from a causal LM in batches with the KV cache.
public struct PolicySampler {
    /// The policy.
    public let model: LlamaModel
    /// Its tokenizer.
    public let tokenizer: any Tokenizer
    /// Prompts per generation batch.
    public var batchSize: Int
    /// The checkpoint's own chat template, or nil for `ChatFormat`'s layout (the world's byte-tokenizer models).
    public let chatTemplate: ModelChatTemplate?

    /// A sampler for `model` with `tokenizer`, prompting in `chatTemplate` when given.
    public init(model: LlamaModel, tokenizer: any Tokenizer, batchSize: Int = 32, chatTemplate: ModelChatTemplate? = nil) {
        self.model = model
        self.tokenizer = tokenizer
        self.batchSize = batchSize
        self.chatTemplate = chatTemplate
    }

    /// The generation prefix tokens of `prompt` (`BOS <|user|> prompt <|assistant|>`, or the chat template's).
    public func promptTokens(_ prompt: String) throws -> [Int32] {
        try ChatFormat(tokenizer: tokenizer).encode(prompt: prompt, response: nil, template: chatTemplate).tokens
    }

    /// One completion per prompt at `temperature` (0: greedy), seeded by `seed` and the batch index.
    public func complete(_ prompts: [String], temperature: Double, maxNewTokens: Int, seed: UInt64) throws -> [Completion] {
        try complete(prompts.map { (prompt: $0, temperature: temperature) }, maxNewTokens: maxNewTokens, seed: seed)
    }

    /// One completion per request, each at its own temperature (0: greedy), `batchSize` requests per
    /// generation batch, seeded by `seed` and the batch index. Requests for the same prompt in one batch
    /// share its prefill.
    public func complete(_ requests: [(prompt: String, temperature: Double)], maxNewTokens: Int, seed: UInt64) throws -> [Completion] {
        var result: [Completion] = []
        result.reserveCapacity(requests.count)
        var start = 0
        while start < requests.count {
            let end = min(start + batchSize, requests.count)
            let part = Array(requests[start..<end])
            var rng = Xoshiro256(seed: seed &+ UInt64(start) &* 0x9E37_79B9_7F4A_7C15)
            let generation = try model.generate(prompts: try part.map { try promptTokens($0.prompt) },
                                                options: SamplingOptions(maxNewTokens: maxNewTokens),
                                                temperatures: part.map { Float($0.temperature) }, rng: &rng)
            for (i, request) in part.enumerated() {
                var tokens = generation.tokens[i]
                if generation.reachedEOS[i] { tokens.removeLast() }
                result.append(Completion(prompt: request.prompt, text: tokenizer.decode(tokens, showSpecial: true),
                                         reachedEOS: generation.reachedEOS[i], tokenCount: generation.tokens[i].count,
                                         temperature: request.temperature))
            }
            start = end
        }
        return result
    }
}
