import Model

/// Next-token training of a causal LM on token sequences with per-token loss masks.
public final class CausalLMTrainer {
    /// The model being trained.
    let model: LlamaModel
    /// Its optimiser.
    let optimizer: AdamW
    /// The learning-rate schedule.
    let rates: LearningRateSchedule

    /// A trainer for `model` under `schedule`.
    public init(model: LlamaModel, schedule: TrainingSchedule) {
        self.model = model
        optimizer = schedule.optimizer(for: model)
        rates = schedule.rates
    }

    /// The padded batch of `sequences` and its flattened (B·T) loss mask; `masks[b][t]` weights predicting token t.
    private func batch(_ sequences: [[Int32]], masks: [[Float]]?) throws -> (batch: Batch, mask: [Float]?) {
        let batch = try Batch(sequences: sequences, padToken: model.config.padTokenId)
        guard let masks else { return (batch, nil) }
        var flat = [Float](repeating: 0, count: batch.batchSize * batch.seqLen)
        for (b, mask) in masks.enumerated() {
            for (t, weight) in mask.enumerated() { flat[b * batch.seqLen + t] = weight }
        }
        return (batch, flat)
    }

    /// The masked next-token loss of a batch, without gradients.
    func loss(_ sequences: [[Int32]], masks: [[Float]]?) throws -> Double {
        let (batch, mask) = try self.batch(sequences, masks: masks)
        let (targets, weights) = try batch.nextTokenTargets(lossMask: mask)
        let output = try model.forward(batch, keepingActivations: false)
        return try LogitMath.maskedCrossEntropy(logits: output.logits, targets: targets, weights: weights,
                                                vocabSize: model.config.vocabSize).loss
    }

    /// One optimiser step on a batch; returns the loss before the update.
    public func step(_ sequences: [[Int32]], masks: [[Float]]?, index: Int) throws -> Double {
        let (batch, mask) = try self.batch(sequences, masks: masks)
        let loss = try model.accumulateCrossEntropy(batch, lossMask: mask)
        try optimizer.update(model, learningRate: rates.rate(at: index))
        return loss
    }

    /// The mean masked loss over `sequences` in batches of `batchSize`, without updating.
    public func evaluate(_ sequences: [[Int32]], masks: [[Float]]?, batchSize: Int) throws -> Double {
        var total = 0.0, weight = 0.0
        var start = 0
        while start < sequences.count {
            let end = min(start + batchSize, sequences.count)
            let part = Array(sequences[start..<end])
            let partMasks = masks.map { Array($0[start..<end]) }
            let tokens = partMasks.map { $0.reduce(0) { $0 + Double($1.dropFirst().reduce(0, +)) } }
                ?? Double(part.reduce(0) { $0 + $1.count - 1 })
            total += try loss(part, masks: partMasks) * tokens
            weight += tokens
            start = end
        }
        return weight > 0 ? total / weight : 0
    }
}
