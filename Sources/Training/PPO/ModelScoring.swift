import Model

/// Forward-only scoring of prompt + response sequences by the actor, reference, critic and reward model,
/// in chunks so activation memory stays bounded.
enum ModelScoring {
    /// Tempered log-probs of each response token under a causal LM.
    static func logProbs(_ model: LlamaModel, prompts: [[Int32]], responses: [[Int32]], temperature: Double,
                         chunk: Int) throws -> [[Double]] {
        try chunked(prompts.count, chunk) { range in
            let sb = try SequenceBatch(prompts: Array(prompts[range]), responses: Array(responses[range]),
                                       padToken: model.config.padTokenId)
            let out = try model.forward(sb.batch)
            let rows = sb.gatherRows(logits: out.logits, vocabSize: out.vocabSize)
            return sb.split(try TemperedLogits.logProbs(rows: rows, tokens: sb.flatTokens, vocabSize: out.vocabSize,
                                                        temperature: temperature))
        }
    }

    /// A critic's value of the state before each response token.
    static func values(_ critic: LlamaModel, prompts: [[Int32]], responses: [[Int32]], chunk: Int) throws -> [[Double]] {
        try chunked(prompts.count, chunk) { range in
            let sb = try SequenceBatch(prompts: Array(prompts[range]), responses: Array(responses[range]),
                                       padToken: critic.config.padTokenId)
            return sb.split(sb.gatherValues(try critic.forward(sb.batch).values))
        }
    }

    /// A reward model's score of each full sequence, read at its last token (the EOS when present).
    static func scores(_ rewardModel: LlamaModel, prompts: [[Int32]], responses: [[Int32]], chunk: Int) throws -> [Double] {
        try chunked(prompts.count, chunk) { range in
            let batch = try Batch(sequences: range.map { prompts[$0] + responses[$0] }, padToken: rewardModel.config.padTokenId)
            return try rewardModel.forward(batch).scores.map(Double.init)
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
