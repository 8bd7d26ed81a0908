import EngineCore
import Training

extension TrainingSchedule {
    /// Reads `steps`, `batch_size`, `learning_rate`, `warmup_steps`, `weight_decay` with the given defaults.
    init(_ params: Params, steps: Int, batchSize: Int, learningRate: Double, warmupSteps: Int = 20, weightDecay: Double = 0.0) throws {
        let steps = try params.int("steps", default: steps, in: 1...10_000_000)
        self.init(steps: steps,
                  batchSize: try params.int("batch_size", default: batchSize, in: 1...65_536),
                  learningRate: try params.double("learning_rate", default: learningRate, in: 1e-8...1),
                  warmupSteps: try params.int("warmup_steps", default: min(warmupSteps, steps / 5), in: 0...10_000_000),
                  weightDecay: try params.double("weight_decay", default: weightDecay, in: 0...1))
    }

    /// The param declarations these settings read.
    static let specs = [
        ParamSpec("steps", .integer, summary: "optimiser steps"),
        ParamSpec("batch_size", .integer, summary: "sequences per step"),
        ParamSpec("learning_rate", .number, summary: "peak learning rate"),
        ParamSpec("warmup_steps", .integer, summary: "linear warmup steps"),
        ParamSpec("weight_decay", .number, summary: "AdamW weight decay"),
    ]
}
