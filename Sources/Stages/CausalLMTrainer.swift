import Model

/// Next-token training of a causal LM on token sequences with per-token loss masks.
final class CausalLMTrainer {
    /// The model being trained.
    let model: LlamaModel
    /// Its optimiser.
    let optimizer: AdamW
    /// The learning-rate schedule.
    let rates: LearningRateSchedule

    /// A trainer for `model` under `schedule`.
    init(model: LlamaModel, schedule: TrainingSchedule) {
        self.model = model
        optimizer = schedule.optimizer(for: model)
        rates = schedule.rates
    }

    /// The masked next-token loss of a batch and its logits gradient; `masks[b][t]` weights predicting token t.
    func loss(_ sequences: [[Int32]], masks: [[Float]]?) throws -> (loss: Double, dLogits: [Float]) {
        let batch = try Batch(sequences: sequences, padToken: model.config.padTokenId)
        var flatMask: [Float]?
        if let masks {
            var flat = [Float](repeating: 0, count: batch.batchSize * batch.seqLen)
            for (b, mask) in masks.enumerated() {
                for (t, weight) in mask.enumerated() { flat[b * batch.seqLen + t] = weight }
            }
            flatMask = flat
        }
        let (targets, weights) = try batch.nextTokenTargets(lossMask: flatMask)
        let output = try model.forward(batch)
        return try LogitMath.maskedCrossEntropy(logits: output.logits, targets: targets, weights: weights,
                                                vocabSize: model.config.vocabSize)
    }

    /// One optimiser step on a batch; returns the loss before the update.
    func step(_ sequences: [[Int32]], masks: [[Float]]?, index: Int) throws -> Double {
        let (loss, dLogits) = try self.loss(sequences, masks: masks)
        try model.backward(dLogits: dLogits)
        try optimizer.update(model, learningRate: rates.rate(at: index))
        return loss
    }

    /// The mean masked loss over `sequences` in batches of `batchSize`, without updating.
    func evaluate(_ sequences: [[Int32]], masks: [[Float]]?, batchSize: Int) throws -> Double {
        var total = 0.0, weight = 0.0
        var start = 0
        while start < sequences.count {
            let end = min(start + batchSize, sequences.count)
            let part = Array(sequences[start..<end])
            let partMasks = masks.map { Array($0[start..<end]) }
            let tokens = partMasks.map { $0.reduce(0) { $0 + Double($1.dropFirst().reduce(0, +)) } }
                ?? Double(part.reduce(0) { $0 + $1.count - 1 })
            total += try loss(part, masks: partMasks).loss * tokens
            weight += tokens
            start = end
        }
        return weight > 0 ? total / weight : 0
    }
}
