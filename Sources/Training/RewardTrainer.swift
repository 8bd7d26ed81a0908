import Foundation
import Model

/// Bradley-Terry training of a scalar-head reward model on (prompt, chosen, rejected) pairs.
///
/// Loss per pair: −log σ(r_c − r_r − margin) (`LogitMath.bradleyTerry`) + centring · (r_c + r_r)², where r is
/// the score at the last non-pad token (the response's EOS). The centring term keeps rewards near zero.
public final class RewardTrainer {
    /// The reward model (LlamaForSequenceClassification layout).
    let model: LlamaModel
    /// Renders prompt conversations and responses into the model's tokens.
    public let renderer: ChatRenderer
    /// Its optimiser (nil when only scoring).
    let optimizer: AdamW?
    /// The learning-rate schedule.
    let rates: LearningRateSchedule?
    /// Margin subtracted inside the sigmoid.
    public var margin: Double = 0
    /// Weight of the reward-centring term.
    public var centring: Double = 0

    /// A trainer for `model` rendering chats with `renderer` (nil `schedule`: scoring only).
    public init(model: LlamaModel, renderer: ChatRenderer, schedule: TrainingSchedule?) {
        self.model = model
        self.renderer = renderer
        optimizer = schedule?.optimizer(for: model)
        rates = schedule?.rates
    }

    /// A trainer for `model` rendering chats through `ChatFormat` with `tokenizer` (nil `schedule`: scoring only).
    public convenience init(model: LlamaModel, tokenizer: any Tokenizer, schedule: TrainingSchedule?) {
        self.init(model: model, renderer: ChatRenderer(tokenizer: tokenizer), schedule: schedule)
    }

    /// The tokens scored for a response: the prompt conversation's generation prefix, the response, EOS
    /// (`BOS <|user|> prompt <|assistant|> response EOS` for a single turn in `ChatFormat`).
    public func tokens(prompt: [ChatMessage], response: String) throws -> [Int32] {
        try renderer.encode(prompt: prompt, response: response).tokens
    }

    /// `tokens` for a single-turn prompt.
    public func tokens(prompt: String, response: String) throws -> [Int32] {
        try tokens(prompt: [ChatMessage(role: "user", content: prompt)], response: response)
    }

    /// Rewards of (prompt conversation, response) pairs, in batches.
    public func scores(_ items: [(prompt: [ChatMessage], response: String)], batchSize: Int = 64) throws -> [Double] {
        var result: [Double] = []
        var start = 0
        while start < items.count {
            let end = min(start + batchSize, items.count)
            let batch = try Batch(sequences: items[start..<end].map { try tokens(prompt: $0.prompt, response: $0.response) },
                                  padToken: model.config.padTokenId)
            result += try model.forward(batch, keepingActivations: false).scores.map(Double.init)
            start = end
        }
        return result
    }

    /// Rewards of (single-turn prompt, response) pairs, in batches.
    public func scores(_ items: [(prompt: String, response: String)], batchSize: Int = 64) throws -> [Double] {
        try scores(items.map { (prompt: [ChatMessage(role: "user", content: $0.prompt)], response: $0.response) }, batchSize: batchSize)
    }

    /// One packed sequence per pair: the tokens the chosen and rejected responses share (the prompt and
    /// chat markers) once, then each response, which sees the shared part and itself only.
    public func packedPair(prompt: [ChatMessage], chosen: String, rejected: String) throws -> BranchedSequence {
        try BranchedSequence(sharingPrefixOf: [tokens(prompt: prompt, response: chosen), tokens(prompt: prompt, response: rejected)])
    }

    /// `packedPair` for a single-turn prompt.
    public func packedPair(prompt: String, chosen: String, rejected: String) throws -> BranchedSequence {
        try packedPair(prompt: [ChatMessage(role: "user", content: prompt)], chosen: chosen, rejected: rejected)
    }

    /// `step` on single-turn pairs.
    public func step(_ pairs: [(prompt: String, chosen: String, rejected: String)], pairMargins: [Double]? = nil,
                     index: Int) throws -> (loss: Double, accuracy: Double) {
        try step(pairs.map { (prompt: [ChatMessage(role: "user", content: $0.prompt)], chosen: $0.chosen, rejected: $0.rejected) },
                 pairMargins: pairMargins, index: index)
    }

    /// One optimiser step on pairs; returns the mean loss and the fraction ranked right before the update.
    ///
    /// Each pair is one packed sequence (`packedPair`), so its prompt is computed once for both responses;
    /// the scores equal those of two separate sequences up to float rounding. `pairMargins` (one per pair)
    /// are added to `margin` for their pair.
    public func step(_ pairs: [(prompt: [ChatMessage], chosen: String, rejected: String)], pairMargins: [Double]? = nil,
                     index: Int) throws -> (loss: Double, accuracy: Double) {
        guard let optimizer, let rates else { throw ModelError.invalidState("this reward trainer only scores") }
        let n = pairs.count
        let packed = try pairs.map { try packedPair(prompt: $0.prompt, chosen: $0.chosen, rejected: $0.rejected) }
        let batch = try Batch(branched: packed, padToken: model.config.padTokenId)
        let values = try model.forward(batch).values
        let ends = packed.enumerated().map { i, pair in pair.branchEnds.map { i * batch.seqLen + $0 } }
        let chosen = ends.map { values[$0[0]] }, rejected = ends.map { values[$0[1]] }
        let bradleyTerry = try LogitMath.bradleyTerry(chosen: chosen, rejected: rejected,
                                                      margins: (0..<n).map { margin + (pairMargins?[$0] ?? 0) })
        var dValues = [Float](repeating: 0, count: batch.batchSize * batch.seqLen)
        var centringLoss = 0.0
        for i in 0..<n {
            // Reward centring: centring · (r_c + r_r)², mean over pairs.
            let sum = Double(chosen[i]) + Double(rejected[i])
            centringLoss += centring * sum * sum / Double(n)
            let dSum = Float(2 * centring * sum / Double(n))
            dValues[ends[i][0]] = bradleyTerry.dChosen[i] + dSum
            dValues[ends[i][1]] = bradleyTerry.dRejected[i] + dSum
        }
        let right = zip(chosen, rejected).filter { $0 > $1 }.count
        try model.backward(dValues: dValues)
        try optimizer.update(model, learningRate: rates.rate(at: index))
        return (bradleyTerry.loss + centringLoss, Double(right) / Double(n))
    }
}
