import Foundation
import Model

/// Bradley-Terry training of a scalar-head reward model on (prompt, chosen, rejected) pairs.
///
/// Loss per pair: −log σ(r_c − r_r − margin) + centring · (r_c + r_r)², where r is the score at the
/// last non-pad token (the response's EOS). The centring term keeps rewards near zero.
public final class RewardTrainer {
    /// The reward model (LlamaForSequenceClassification layout).
    let model: LlamaModel
    /// The chat format used to encode prompt and response.
    let format: ChatFormat
    /// Its optimiser (nil when only scoring).
    let optimizer: AdamW?
    /// The learning-rate schedule.
    let rates: LearningRateSchedule?
    /// Margin subtracted inside the sigmoid.
    public var margin: Double = 0
    /// Weight of the reward-centring term.
    public var centring: Double = 0

    /// A trainer for `model` (nil `schedule`: scoring only).
    public init(model: LlamaModel, tokenizer: any Tokenizer, schedule: TrainingSchedule?) {
        self.model = model
        format = ChatFormat(tokenizer: tokenizer)
        optimizer = schedule?.optimizer(for: model)
        rates = schedule?.rates
    }

    /// The tokens scored for a response: `BOS <|user|> prompt <|assistant|> response EOS`.
    public func tokens(prompt: String, response: String) -> [Int32] {
        format.encode(prompt: prompt, response: response).tokens
    }

    /// Rewards of (prompt, response) pairs, in batches.
    public func scores(_ items: [(prompt: String, response: String)], batchSize: Int = 64) throws -> [Double] {
        var result: [Double] = []
        var start = 0
        while start < items.count {
            let end = min(start + batchSize, items.count)
            let batch = try Batch(sequences: items[start..<end].map { tokens(prompt: $0.prompt, response: $0.response) },
                                  padToken: model.config.padTokenId)
            result += try model.forward(batch).scores.map(Double.init)
            start = end
        }
        return result
    }

    /// One packed sequence per pair: the tokens the chosen and rejected responses share (the prompt and
    /// chat markers) once, then each response, which sees the shared part and itself only.
    public func packedPair(prompt: String, chosen: String, rejected: String) throws -> BranchedSequence {
        try BranchedSequence(sharingPrefixOf: [tokens(prompt: prompt, response: chosen), tokens(prompt: prompt, response: rejected)])
    }

    /// One optimiser step on pairs; returns the mean loss and the fraction ranked right before the update.
    ///
    /// Each pair is one packed sequence (`packedPair`), so its prompt is computed once for both responses;
    /// the scores equal those of two separate sequences up to float rounding. `pairMargins` (one per pair)
    /// are added to `margin` for their pair.
    public func step(_ pairs: [(prompt: String, chosen: String, rejected: String)], pairMargins: [Double]? = nil,
                     index: Int) throws -> (loss: Double, accuracy: Double) {
        guard let optimizer, let rates else { throw ModelError.invalidState("this reward trainer only scores") }
        let n = pairs.count
        let packed = try pairs.map { try packedPair(prompt: $0.prompt, chosen: $0.chosen, rejected: $0.rejected) }
        let batch = try Batch(branched: packed, padToken: model.config.padTokenId)
        let values = try model.forward(batch).values
        var dValues = [Float](repeating: 0, count: batch.batchSize * batch.seqLen)
        var loss = 0.0, right = 0
        for (i, pair) in packed.enumerated() {
            let ends = pair.branchEnds.map { i * batch.seqLen + $0 }
            let chosen = Double(values[ends[0]]), rejected = Double(values[ends[1]])
            let d = chosen - rejected - margin - (pairMargins?[i] ?? 0)
            let sum = chosen + rejected
            loss += Statistics.softplus(-d) + centring * sum * sum
            if chosen > rejected { right += 1 }
            let dd = -Statistics.sigmoid(-d)
            let dc = 2 * centring * (chosen + rejected)
            dValues[ends[0]] = Float((dd + dc) / Double(n))
            dValues[ends[1]] = Float((-dd + dc) / Double(n))
        }
        try model.backward(dValues: dValues)
        try optimizer.update(model, learningRate: rates.rate(at: index))
        return (loss / Double(n), Double(right) / Double(n))
    }
}
