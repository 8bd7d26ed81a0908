extension LlamaModel {
    /// Samples continuations of a batch of prompts (of any lengths) with a seeded RNG.
    ///
    /// Sequence b draws from the RNG in batch order at every step it is still running, so the KV-cache and
    /// recompute paths (`options.useKVCache`) consume identical random numbers.
    public func generate(prompts: [[Int32]], options: SamplingOptions, rng: inout Xoshiro256) throws -> Generation {
        guard !config.hasScalarHead else { throw ModelError.invalidState("a scalar-head model cannot generate text") }
        let B = prompts.count
        var result = Generation(tokens: Array(repeating: [], count: B), logProbs: Array(repeating: [], count: B),
                                reachedEOS: Array(repeating: false, count: B))
        guard B > 0, options.maxNewTokens > 0 else { return result }
        let longest = prompts.map(\.count).max()!
        let capacity = longest + options.maxNewTokens
        if capacity > config.maxPositionEmbeddings {
            throw ModelError.sequenceTooLong(length: capacity, limit: config.maxPositionEmbeddings)
        }
        let prefill = try Batch(sequences: prompts, padToken: config.padTokenId)
        if let bad = prefill.tokens.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError.tokenOutOfRange(token: bad, vocabSize: config.vocabSize)
        }
        let V = config.vocabSize
        var done = [Bool](repeating: false, count: B)
        var next: (Int) throws -> [Float]
        if options.useKVCache {
            let state = InferenceState(config: config, batch: B, capacity: capacity, chunk: longest)
            var cached = prompts.map { Int32($0.count) }
            next = { step in
                if step == 0 {
                    return self.inferenceStep(state, tokens: prefill.tokens, seqLen: longest,
                                              start: [Int32](repeating: 0, count: B), logitRow: prefill.lastTokenIndex)
                }
                var feed = [Int32](repeating: self.config.padTokenId, count: B)
                let start = cached
                for b in 0..<B where !done[b] {
                    feed[b] = result.tokens[b].last!
                    cached[b] += 1
                }
                return self.inferenceStep(state, tokens: feed, seqLen: 1, start: start,
                                          logitRow: [Int](repeating: 0, count: B))
            }
        } else {
            reserveActivations(batch: B, seqLen: capacity)
            next = { _ in
                let batch = try Batch(sequences: (0..<B).map { prompts[$0] + result.tokens[$0] },
                                      padToken: self.config.padTokenId)
                let logits = try self.forward(batch).logits
                var rows = [Float](repeating: 0, count: B * V)
                for b in 0..<B {
                    let src = (b * batch.seqLen + batch.lastTokenIndex[b]) * V
                    rows.replaceSubrange(b * V..<(b + 1) * V, with: logits[src..<(src + V)])
                }
                return rows
            }
        }
        for step in 0..<options.maxNewTokens {
            let logits = try next(step)
            for b in 0..<B where !done[b] {
                let (token, lp) = options.sample(logits: logits[(b * V)..<((b + 1) * V)], rng: &rng)
                result.tokens[b].append(token)
                result.logProbs[b].append(lp)
                if options.stopAtEOS && token == config.eosTokenId {
                    done[b] = true
                    result.reachedEOS[b] = true
                }
            }
            if done.allSatisfy({ $0 }) { break }
        }
        return result
    }

    /// Log-probs of each response token given its prompt (teacher forcing), for a batch of pairs.
    ///
    /// Prompts must be non-empty; the result has one entry per response token.
    public func responseLogProbs(prompts: [[Int32]], responses: [[Int32]]) throws -> [[Float]] {
        guard !config.hasScalarHead else { throw ModelError.invalidState("a scalar-head model has no token log-probs") }
        guard prompts.count == responses.count else {
            throw ModelError.shapeMismatch(what: "responses per prompt", expected: prompts.count, got: responses.count)
        }
        if let empty = prompts.firstIndex(where: { $0.isEmpty }) {
            throw ModelError.invalidState("prompt \(empty) is empty; scoring needs at least one prompt token")
        }
        let batch = try Batch(sequences: zip(prompts, responses).map { $0 + $1 }, padToken: config.padTokenId)
        let out = try forward(batch)
        let V = config.vocabSize, T = batch.seqLen
        var rows: [Float] = []
        var tokens: [Int32] = []
        for (b, r) in responses.enumerated() {
            for (j, tok) in r.enumerated() {
                let src = (b * T + prompts[b].count + j - 1) * V
                rows.append(contentsOf: out.logits[src..<(src + V)])
                tokens.append(tok)
            }
        }
        let flat = try LogitMath.tokenLogProbs(logits: rows, tokens: tokens, vocabSize: V)
        var result: [[Float]] = []
        var i = 0
        for r in responses {
            result.append(Array(flat[i..<(i + r.count)]))
            i += r.count
        }
        return result
    }
}
