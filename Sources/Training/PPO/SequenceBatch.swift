import Model

/// Prompt + response sequences as one right-padded batch, with the positions whose outputs belong
/// to each response token: the next-token row that predicts it, and the critic's value of the state before it.
struct SequenceBatch {
    /// The padded model input (B,T).
    let batch: Batch
    /// Response tokens per sequence.
    let responses: [[Int32]]
    /// Flat (b·T + t) position of the row predicting each response token, per sequence.
    let positions: [[Int]]

    /// Builds the batch; prompts must be non-empty.
    init(prompts: [[Int32]], responses: [[Int32]], padToken: Int32) throws {
        batch = try Batch(sequences: zip(prompts, responses).map { $0 + $1 }, padToken: padToken)
        let T = batch.seqLen
        self.responses = responses
        positions = prompts.enumerated().map { b, prompt in
            (0..<responses[b].count).map { b * T + prompt.count - 1 + $0 }
        }
    }

    /// All response tokens, sequence after sequence.
    var flatTokens: [Int32] { responses.flatMap { $0 } }

    /// The logits rows (N,V) of every response token, from model logits (B,T,V).
    func gatherRows(logits: [Float], vocabSize V: Int) -> [Float] {
        var rows: [Float] = []
        rows.reserveCapacity(positions.reduce(0) { $0 + $1.count } * V)
        for position in positions.joined() { rows.append(contentsOf: logits[(position * V)..<((position + 1) * V)]) }
        return rows
    }

    /// Model-shaped dLogits (B,T,V): `dRows` (N,V) placed at the response positions, zero elsewhere.
    func scatterRows(_ dRows: [Float], vocabSize V: Int) -> [Float] {
        var out = [Float](repeating: 0, count: batch.batchSize * batch.seqLen * V)
        for (i, position) in positions.joined().enumerated() {
            out.replaceSubrange((position * V)..<((position + 1) * V), with: dRows[(i * V)..<((i + 1) * V)])
        }
        return out
    }

    /// Per-token values (N) from a critic's outputs (B,T).
    func gatherValues(_ values: [Float]) -> [Double] {
        positions.joined().map { Double(values[$0]) }
    }

    /// Model-shaped dValues (B,T) from per-token gradients (N).
    func scatterValues(_ d: [Double]) -> [Float] {
        var out = [Float](repeating: 0, count: batch.batchSize * batch.seqLen)
        for (i, position) in positions.joined().enumerated() { out[position] = Float(d[i]) }
        return out
    }

    /// Splits a flat per-token array back into one array per sequence.
    func split<T>(_ flat: [T]) -> [[T]] {
        var result: [[T]] = []
        var start = 0
        for r in responses {
            result.append(Array(flat[start..<(start + r.count)]))
            start += r.count
        }
        return result
    }
}
