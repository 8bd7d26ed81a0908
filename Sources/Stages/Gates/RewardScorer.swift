import Foundation
import Model

/// Scores (prompt, response) pairs with a reward-model checkpoint (LlamaForSequenceClassification layout).
struct RewardScorer {
    /// The reward model.
    let model: LlamaModel
    /// Its tokenizer.
    let tokenizer: any Tokenizer
    /// Sequences per forward pass.
    let batchSize = 8

    /// Loads the checkpoint directory at `checkpoint`.
    init(checkpoint: URL) throws {
        (model, tokenizer) = try Checkpoint.load(from: checkpoint)
    }

    /// The rewards of each record's chosen and rejected response.
    func score(_ records: [GateRecord]) throws -> [(chosen: Double, rejected: Double)] {
        let format = ChatFormat(tokenizer: tokenizer)
        let limit = model.config.maxPositionEmbeddings
        let sequences = records.flatMap { record in
            ["chosen", "rejected"].map { Array(format.encode(prompt: record.text("prompt"), response: record.text($0)).tokens.prefix(limit)) }
        }
        var rewards: [Double] = []
        var start = 0
        while start < sequences.count {
            let batch = try Batch(sequences: Array(sequences[start..<min(start + batchSize, sequences.count)]), padToken: tokenizer.special.pad)
            rewards += try model.forward(batch).scores.map(Double.init)
            start += batchSize
        }
        return stride(from: 0, to: rewards.count, by: 2).map { (rewards[$0], rewards[$0 + 1]) }
    }
}
