import Model

/// Forward-only scoring of prompt + response sequences by the actor, reference, critic and reward model, in chunks
/// and through the models' scoring buffers (one layer's worth of activations), so activation memory stays bounded.
public enum ModelScoring {
    /// How the causal-LM scorers reach the log-probs.
    public enum Path: Equatable, Sendable {
        /// `LlamaModel.nextTokenLogProbs`: the LM head a chunk of rows at a time, no (B,T,V) logits.
        case chunkedHead
        /// The whole (B,T,V) logits of `forward`, then the response rows (the path before issue 19; kept to
        /// measure against with `rlhf bench ppo --scoring full-logits`).
        case fullLogits
    }

    /// Tempered log-probs of each response token under a causal LM.
    static func logProbs(_ model: LlamaModel, prompts: [[Int32]], responses: [[Int32]], temperature: Double,
                         chunk: Int, path: Path = .chunkedHead) throws -> [[Double]] {
        try logProbsAndHidden(model, prompts: prompts, responses: responses, temperature: temperature, chunk: chunk,
                              hidden: false, path: path).logProbs
    }

    /// Tempered log-probs of each response token and, with `hidden`, the final hidden state (C floats) of the row
    /// predicting it, i.e. the state before that token (what a value head on this trunk reads); the chunked head
    /// runs in the model's `inferencePrecision`, the full logits in fp32.
    static func logProbsAndHidden(_ model: LlamaModel, prompts: [[Int32]], responses: [[Int32]], temperature: Double,
                                  chunk: Int, hidden: Bool, path: Path = .chunkedHead) throws
        -> (logProbs: [[Double]], hidden: [[Float]]) {
        let C = model.config.hiddenSize
        let parts = try chunked(prompts.count, chunk) { range -> [([Double], [Float])] in
            let sb = try SequenceBatch(prompts: Array(prompts[range]), responses: Array(responses[range]),
                                       padToken: model.config.padTokenId)
            let rows = Array(sb.positions.joined())
            let flat: [Double], states: [Float]
            switch path {
            case .chunkedHead:
                let next = try model.nextTokenLogProbs(sb.batch, temperature: Float(temperature > 0 ? temperature : 1),
                                                       hiddenRows: hidden ? rows : [])
                flat = rows.map { Double(next.logProbs[$0]) }
                states = next.hidden
            case .fullLogits:
                let out = try model.forward(sb.batch, keepingActivations: false)
                flat = try TemperedLogits.logProbs(rows: sb.gatherRows(logits: out.logits, vocabSize: out.vocabSize),
                                                   tokens: sb.flatTokens, vocabSize: out.vocabSize, temperature: temperature)
                states = try hidden ? model.lastFinalHiddenStates(rows: rows) : []
            }
            var start = 0
            return sb.split(flat).map { lp in
                defer { start += lp.count }
                return (lp, hidden ? Array(states[(start * C)..<((start + lp.count) * C)]) : [])
            }
        }
        return (parts.map(\.0), parts.map(\.1))
    }

    /// A critic's value of the state before each response token.
    static func values(_ critic: LlamaModel, prompts: [[Int32]], responses: [[Int32]], chunk: Int) throws -> [[Double]] {
        try chunked(prompts.count, chunk) { range in
            let sb = try SequenceBatch(prompts: Array(prompts[range]), responses: Array(responses[range]),
                                       padToken: critic.config.padTokenId)
            return sb.split(sb.gatherValues(try critic.forward(sb.batch, keepingActivations: false).values))
        }
    }

    /// A trunk's final hidden state before each response token (C floats per token), for a value head; the model
    /// runs with whatever adapter is attached.
    static func hiddenStates(_ model: LlamaModel, prompts: [[Int32]], responses: [[Int32]], chunk: Int) throws -> [[Float]] {
        let C = model.config.hiddenSize
        return try chunked(prompts.count, chunk) { range in
            let sb = try SequenceBatch(prompts: Array(prompts[range]), responses: Array(responses[range]),
                                       padToken: model.config.padTokenId)
            let states = try model.finalHiddenStates(sb.batch, rows: Array(sb.positions.joined()), keepingActivations: false)
            var start = 0
            return sb.responses.map { r in
                defer { start += r.count }
                return Array(states[(start * C)..<((start + r.count) * C)])
            }
        }
    }

    /// A reward model's score of each full sequence, read at its last token (the EOS when present).
    static func scores(_ rewardModel: LlamaModel, prompts: [[Int32]], responses: [[Int32]], chunk: Int) throws -> [Double] {
        try chunked(prompts.count, chunk) { range in
            let batch = try Batch(sequences: range.map { prompts[$0] + responses[$0] }, padToken: rewardModel.config.padTokenId)
            return try rewardModel.forward(batch, keepingActivations: false).scores.map(Double.init)
        }
    }

    /// Scores of each full sequence by a score head (C floats) on `model`'s final hidden state at its last token;
    /// the model runs with whatever adapter is attached (a LoRA reward model on a shared base), in its
    /// `inferencePrecision`.
    static func scores(_ model: LlamaModel, scoreHead: [Float], prompts: [[Int32]], responses: [[Int32]], chunk: Int) throws -> [Double] {
        let head = ValueHead(weights: scoreHead)
        return try chunked(prompts.count, chunk) { range in
            let batch = try Batch(sequences: range.map { prompts[$0] + responses[$0] }, padToken: model.config.padTokenId)
            let rows = batch.lastTokenIndex.enumerated().map { $0.offset * batch.seqLen + $0.element }
            return head.values(try model.inferenceFinalHiddenStates(batch, rows: rows))
        }
    }

    /// Runs `body` on consecutive index ranges of at most `chunk` and concatenates the results.
    private static func chunked<T>(_ count: Int, _ chunk: Int, _ body: (Range<Int>) throws -> [T]) throws -> [T] {
        var result: [T] = []
        var start = 0
        while start < count {
            let end = min(start + chunk, count)
            result += try body(start..<end)
            start = end
        }
        return result
    }
}
