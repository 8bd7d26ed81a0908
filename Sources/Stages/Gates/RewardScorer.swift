import Foundation
import Model
import Training

/// Scores (prompt, response) pairs with a reward-model checkpoint (LlamaForSequenceClassification layout).
struct RewardScorer {
    /// The reward model.
    let model: LlamaModel
    /// Renders prompts and responses into its tokens.
    let renderer: ChatRenderer
    /// Sequences per forward pass.
    let batchSize = 8

    /// Loads the checkpoint directory at `checkpoint`.
    init(checkpoint: URL) throws {
        let (model, tokenizer) = try Checkpoint.load(from: checkpoint)
        self.model = model
        renderer = try ChatRenderer.load(from: checkpoint, tokenizer: tokenizer)
    }

    /// The rewards of each record's chosen and rejected response.
    func score(_ records: [GateRecord]) throws -> [(chosen: Double, rejected: Double)] {
        let limit = model.config.maxPositionEmbeddings
        let sequences = try records.flatMap { record in
            try ["chosen", "rejected"].map {
                Array(try renderer.encode(prompt: record.context.chat(user: record.text("prompt")), response: record.text($0)).tokens.prefix(limit))
            }
        }
        var rewards: [Double] = []
        var start = 0
        while start < sequences.count {
            let batch = try Batch(sequences: Array(sequences[start..<min(start + batchSize, sequences.count)]), padToken: renderer.tokenizer.special.pad)
            rewards += try model.forward(batch, keepingActivations: false).scores.map(Double.init)
            start += batchSize
        }
        return stride(from: 0, to: rewards.count, by: 2).map { (rewards[$0], rewards[$0 + 1]) }
    }
}
