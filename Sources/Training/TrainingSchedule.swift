import Model

/// Optimiser settings shared by the training stages: steps, batch size, learning rate and warmup.
public struct TrainingSchedule {
    /// Optimiser steps.
    public var steps: Int
    /// Sequences per step.
    public var batchSize: Int
    /// Peak learning rate.
    public var learningRate: Double
    /// Linear warmup steps before cosine decay to 10% of the peak.
    public var warmupSteps: Int
    /// AdamW weight decay.
    var weightDecay: Double

    /// A schedule with these settings.
    public init(steps: Int, batchSize: Int, learningRate: Double, warmupSteps: Int, weightDecay: Double) {
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
        self.weightDecay = weightDecay
    }

    /// The learning-rate schedule: warmup, then cosine decay to a tenth of the peak.
    var rates: LearningRateSchedule {
        LearningRateSchedule(peak: Float(learningRate), minimum: Float(learningRate / 10), warmupSteps: warmupSteps,
                             totalSteps: steps, decay: .cosine)
    }

    /// An AdamW optimiser for `model` with these settings.
    func optimizer(for model: LlamaModel) -> AdamW {
        AdamW(model: model, options: AdamW.Options(weightDecay: Float(weightDecay)))
    }
}
