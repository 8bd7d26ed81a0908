import EngineCore
import Training

/// The optimiser params of a training kind (`steps`, `batch_size`, `learning_rate`, `warmup_steps`,
/// `weight_decay`), declared with that kind's defaults.
struct ScheduleParams: ParamDeclarations {
    /// Optimiser steps.
    let steps: Param<Int>
    /// Sequences per step.
    let batchSize: Param<Int>
    /// Peak learning rate.
    let learningRate: Param<Double>
    /// Linear warmup steps.
    let warmupSteps: Param<Int>
    /// AdamW weight decay.
    let weightDecay: Param<Double>
    /// The warmup when `warmup_steps` is not set: `min(warmupCap, steps / 5)`.
    private let warmupCap: Int

    /// The declarations with a kind's defaults.
    init(steps: Int, batchSize: Int, learningRate: Double, warmupSteps: Int = 20, weightDecay: Double = 0) {
        self.steps = .integer("steps", default: steps, in: 1...10_000_000, "optimiser steps")
        self.batchSize = .integer("batch_size", default: batchSize, in: 1...65_536, "sequences per step")
        self.learningRate = .number("learning_rate", default: learningRate, in: 1e-8...1, "peak learning rate")
        self.warmupSteps = .integer("warmup_steps", default: nil, derived: "min(\(warmupSteps), steps / 5)", in: 0...10_000_000,
                                    "linear warmup steps")
        self.weightDecay = .number("weight_decay", default: weightDecay, in: 0...1, "AdamW weight decay (never on norm weights)")
        warmupCap = warmupSteps
    }

    /// The schedule a node's params describe.
    func schedule(_ params: Params) throws -> TrainingSchedule {
        let steps = try params.value(steps)
        return TrainingSchedule(steps: steps, batchSize: try params.value(batchSize), learningRate: try params.value(learningRate),
                                warmupSteps: try params.value(warmupSteps, default: min(warmupCap, steps / 5)),
                                weightDecay: try params.value(weightDecay))
    }
}
