import Model

/// Log-probs and entropies of next-token rows (N,V) with the logits divided by the sampling temperature,
/// so the actor, the reference and the sampler all see the same distribution.
enum TemperedLogits {
    /// `logits / temperature` (a temperature ≤ 0 is treated as 1, the greedy sampler's scale).
    static func scaled(_ logits: [Float], temperature: Double) -> [Float] {
        guard temperature > 0, temperature != 1 else { return logits }
        let inverse = Float(1 / temperature)
        return logits.map { $0 * inverse }
    }

    /// log softmax(rowᵢ / T)[tokens[i]] for each row.
    static func logProbs(rows: [Float], tokens: [Int32], vocabSize: Int, temperature: Double) throws -> [Double] {
        try LogitMath.tokenLogProbs(logits: scaled(rows, temperature: temperature), tokens: tokens, vocabSize: vocabSize)
            .map(Double.init)
    }

    /// Entropy of softmax(rowᵢ / T) for each row.
    static func entropies(rows: [Float], vocabSize: Int, temperature: Double) -> [Double] {
        LogitMath.entropy(logits: scaled(rows, temperature: temperature), vocabSize: vocabSize).map(Double.init)
    }

    /// ∂loss/∂rows (N,V) given ∂loss/∂log p (N) and optionally ∂loss/∂entropy (N), through the 1/T scaling.
    static func backward(rows: [Float], tokens: [Int32], dLogProbs: [Double], dEntropy: [Double]?,
                         vocabSize: Int, temperature: Double) throws -> [Float] {
        let scaledRows = scaled(rows, temperature: temperature)
        var d = try LogitMath.tokenLogProbsBackward(logits: scaledRows, tokens: tokens,
                                                    dLogProbs: dLogProbs.map(Float.init), vocabSize: vocabSize)
        if let dEntropy {
            let e = try LogitMath.entropyBackward(logits: scaledRows, dEntropy: dEntropy.map(Float.init), vocabSize: vocabSize)
            for i in d.indices { d[i] += e[i] }
        }
        guard temperature > 0, temperature != 1 else { return d }
        let inverse = Float(1 / temperature)
        return d.map { $0 * inverse }
    }
}
