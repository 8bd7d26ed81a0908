extension LlamaModel {
    /// Samples continuations of a batch of prompts (of any lengths) with a seeded RNG.
    ///
    /// At every step the unfinished sequences draw from the RNG in batch order, so the KV-cache and
    /// recompute paths (`options.useKVCache`) consume identical random numbers. With the cache, a prompt
    /// that appears several times in the batch is prefilled once, and finished sequences leave the batch,
    /// so a step costs what the sequences still running need. `temperatures` (one per prompt), when given,
    /// replace `options.temperature` row by row. The KV-cache path runs in `inferencePrecision`; the
    /// recompute path always in fp32.
    public func generate(prompts: [[Int32]], options: SamplingOptions, temperatures: [Float]? = nil,
                         rng: inout Xoshiro256) throws -> Generation {
        guard !config.hasScalarHead else { throw ModelError.invalidState("a scalar-head model cannot generate text") }
        let B = prompts.count
        if let temperatures, temperatures.count != B {
            throw ModelError.shapeMismatch(what: "temperatures (one per prompt)", expected: B, got: temperatures.count)
        }
        var result = Generation(tokens: Array(repeating: [], count: B), logProbs: Array(repeating: [], count: B),
                                reachedEOS: Array(repeating: false, count: B))
        guard B > 0, options.maxNewTokens > 0 else { return result }
        let longest = prompts.map(\.count).max()!
        let capacity = longest + options.maxNewTokens
        if capacity > config.maxPositionEmbeddings {
            throw ModelError.sequenceTooLong(length: capacity, limit: config.maxPositionEmbeddings)
        }
        let distinct = DistinctPrompts(prompts)
        let prefill = try Batch(sequences: distinct.prompts, padToken: config.padTokenId)
        if let bad = prefill.tokens.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError.tokenOutOfRange(token: bad, vocabSize: config.vocabSize)
        }
        let V = config.vocabSize
        let rowOptions = (0..<B).map { b in
            var row = options
            if let temperatures { row.temperature = temperatures[b] }
            return row
        }
        let decoder: any StepDecoder = options.useKVCache
            ? CachedDecoder(model: self, prefill: prefill, distinct: distinct, capacity: capacity)
            : RecomputingDecoder(model: self, prompts: prompts, capacity: capacity)
        var running = Array(0..<B)
        for _ in 0..<options.maxNewTokens {
            let logits = try decoder.nextLogits(running: running, generated: result.tokens)
            for (row, b) in running.enumerated() {
                let (token, lp) = rowOptions[b].sample(logits: logits[(row * V)..<((row + 1) * V)], rng: &rng)
                result.tokens[b].append(token)
                result.logProbs[b].append(lp)
                if options.stopAtEOS && token == config.eosTokenId { result.reachedEOS[b] = true }
            }
            running.removeAll { result.reachedEOS[$0] }
            if running.isEmpty { break }
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
        let all = try nextTokenLogProbs(batch)
        let T = batch.seqLen
        return responses.enumerated().map { b, r in
            let first = b * T + prompts[b].count - 1
            return Array(all[first..<(first + r.count)])
        }
    }
}

/// One decoding step of `LlamaModel.generate`: next-token logits for the sequences still running.
private protocol StepDecoder {
    /// Logits (R,V), row r for sequence `running[r]`, given each sequence's tokens generated so far.
    func nextLogits(running: [Int], generated: [[Int32]]) throws -> [Float]
}

/// The distinct prompts of a batch in first-seen order, and which of them each sequence starts from.
private struct DistinctPrompts {
    /// Each distinct prompt once.
    let prompts: [[Int32]]
    /// Index into `prompts` of every sequence's prompt; never above the sequence's own index.
    let source: [Int]

    init(_ all: [[Int32]]) {
        var index: [[Int32]: Int] = [:], distinct: [[Int32]] = []
        source = all.map { prompt in
            if let known = index[prompt] { return known }
            index[prompt] = distinct.count
            distinct.append(prompt)
            return distinct.count - 1
        }
        prompts = distinct
    }
}

/// Decodes against a KV cache whose rows hold only running sequences: a finished sequence's row is
/// refilled with the last row's cache, so each step runs a batch of exactly the running sequences.
private final class CachedDecoder: StepDecoder {
    private let model: LlamaModel
    private let state: InferenceState
    /// bf16 weights for this call when the model's inference precision is bf16 (packed once per `generate`).
    private let packed: PackedBF16Weights?
    /// The distinct prompts, prefilled once each.
    private let prefill: Batch
    private let distinct: DistinctPrompts
    /// Cache row of each sequence (meaningful while it runs), and the sequence in each cache row.
    private var rowOfSequence: [Int], sequenceInRow: [Int]
    /// Positions each sequence has in the cache.
    private var cached: [Int32]
    private var started = false

    init(model: LlamaModel, prefill: Batch, distinct: DistinctPrompts, capacity: Int) {
        self.model = model
        self.prefill = prefill
        self.distinct = distinct
        let sequences = distinct.source.indices
        state = InferenceState(config: model.config, batch: sequences.count, capacity: capacity, chunk: prefill.seqLen)
        packed = model.inferencePackedWeights()
        rowOfSequence = Array(sequences)
        sequenceInRow = Array(sequences)
        cached = distinct.source.map { Int32(distinct.prompts[$0].count) }
    }

    func nextLogits(running: [Int], generated: [[Int32]]) throws -> [Float] {
        let B = compactRows(keeping: running)
        let V = model.config.vocabSize
        if !started {
            started = true
            return spreadPrefill(V: V)
        }
        let feed = sequenceInRow.prefix(B).map { generated[$0].last! }
        let start = sequenceInRow.prefix(B).map { cached[$0] }
        for b in running { cached[b] += 1 }
        let logits = model.inferenceStep(state, batch: B, tokens: feed, seqLen: 1, start: start,
                                         logitRow: [Int](repeating: 0, count: B), packed: packed)
        var ordered = [Float](repeating: 0, count: running.count * V)
        for (r, b) in running.enumerated() {
            let src = rowOfSequence[b] * V
            ordered.replaceSubrange(r * V..<(r + 1) * V, with: logits[src..<(src + V)])
        }
        return ordered
    }

    /// Prefills the distinct prompts into the first cache rows, then copies each to the rows of the
    /// sequences that share it and returns the first logits of every sequence (all are running).
    private func spreadPrefill(V: Int) -> [Float] {
        let U = prefill.batchSize, source = distinct.source
        let logits = model.inferenceStep(state, batch: U, tokens: prefill.tokens, seqLen: prefill.seqLen,
                                         start: [Int32](repeating: 0, count: U), logitRow: prefill.lastTokenIndex,
                                         packed: packed)
        if U == source.count { return logits }
        // source[b] ≤ b, so filling rows from the last one down never overwrites a row still to be copied.
        for b in source.indices.reversed() where source[b] != b {
            state.moveSequence(fromRow: source[b], toRow: b, positions: Int(cached[b]))
        }
        var spread = [Float](repeating: 0, count: source.count * V)
        for (b, u) in source.enumerated() {
            spread.replaceSubrange(b * V..<(b + 1) * V, with: logits[u * V..<(u + 1) * V])
        }
        return spread
    }

    /// Drops finished sequences from the cache rows and returns the number of rows in use.
    private func compactRows(keeping running: [Int]) -> Int {
        var rows = sequenceInRow.count
        let keep = Set(running)
        var row = 0
        while row < rows {
            if keep.contains(sequenceInRow[row]) {
                row += 1
                continue
            }
            let last = rows - 1
            if row != last {
                let moved = sequenceInRow[last]
                state.moveSequence(fromRow: last, toRow: row, positions: Int(cached[moved]))
                sequenceInRow[row] = moved
                rowOfSequence[moved] = row
            }
            sequenceInRow.removeLast()
            rows -= 1
        }
        return rows
    }
}

/// Recomputes the full forward of every sequence at every step: the reference the cached path must match.
private final class RecomputingDecoder: StepDecoder {
    private let model: LlamaModel
    private let prompts: [[Int32]]

    init(model: LlamaModel, prompts: [[Int32]], capacity: Int) {
        self.model = model
        self.prompts = prompts
        model.reserveActivations(batch: prompts.count, seqLen: capacity)
    }

    func nextLogits(running: [Int], generated: [[Int32]]) throws -> [Float] {
        let V = model.config.vocabSize
        let batch = try Batch(sequences: running.map { prompts[$0] + generated[$0] }, padToken: model.config.padTokenId)
        let logits = try model.forward(batch).logits
        var rows = [Float](repeating: 0, count: running.count * V)
        for r in running.indices {
            let src = (r * batch.seqLen + batch.lastTokenIndex[r]) * V
            rows.replaceSubrange(r * V..<(r + 1) * V, with: logits[src..<(src + V)])
        }
        return rows
    }
}
