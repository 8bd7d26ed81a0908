import Engine
import Model

/// Optimiser settings shared by the training stages: steps, batch size, learning rate and warmup.
struct TrainingSchedule {
    /// Optimiser steps.
    var steps: Int
    /// Sequences per step.
    var batchSize: Int
    /// Peak learning rate.
    var learningRate: Double
    /// Linear warmup steps before cosine decay to 10% of the peak.
    var warmupSteps: Int
    /// AdamW weight decay.
    var weightDecay: Double

    /// Reads `steps`, `batch_size`, `learning_rate`, `warmup_steps`, `weight_decay` with the given defaults.
    init(_ params: Params, steps: Int, batchSize: Int, learningRate: Double, warmupSteps: Int = 20, weightDecay: Double = 0.0) throws {
        self.steps = try params.int("steps", default: steps, in: 1...10_000_000)
        self.batchSize = try params.int("batch_size", default: batchSize, in: 1...65_536)
        self.learningRate = try params.double("learning_rate", default: learningRate, in: 1e-8...1)
        self.warmupSteps = try params.int("warmup_steps", default: min(warmupSteps, self.steps / 5), in: 0...10_000_000)
        self.weightDecay = try params.double("weight_decay", default: weightDecay, in: 0...1)
    }

    /// The param declarations these settings read.
    static let specs = [
        ParamSpec("steps", .integer, summary: "optimiser steps"),
        ParamSpec("batch_size", .integer, summary: "sequences per step"),
        ParamSpec("learning_rate", .number, summary: "peak learning rate"),
        ParamSpec("warmup_steps", .integer, summary: "linear warmup steps"),
        ParamSpec("weight_decay", .number, summary: "AdamW weight decay"),
    ]

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
