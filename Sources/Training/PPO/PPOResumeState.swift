import Foundation
import Model

/// A resumable snapshot of a PPO run: models, optimizer moments and steps, β, iteration and metrics so far.
///
/// Layout of a snapshot directory: `state.json` plus raw little-endian float32 files `actor.f32`,
/// `actor_m.f32`, `actor_v.f32` and, with a critic, `critic.f32`, `critic_m.f32`, `critic_v.f32`.
public struct PPOResumeState: Codable, Equatable {
    /// Fingerprint of the run (node, params, seed, inputs) the snapshot belongs to.
    var fingerprint: String
    /// Iterations completed.
    var iteration: Int
    /// The KL controller.
    var controller: KLController
    /// Optimizer steps taken by the actor.
    var actorSteps: Int
    /// Optimizer steps taken by the critic.
    var criticSteps: Int
    /// Metrics of the completed iterations.
    var history: [PPOIterationMetrics]

    /// Writes the trainer's state into `directory/current`, atomically replacing an older snapshot.
    public static func save(_ trainer: PPOTrainer, fingerprint: String, in directory: URL) throws {
        let fm = FileManager.default
        let next = directory.appendingPathComponent("next")
        let current = directory.appendingPathComponent("current")
        try? fm.removeItem(at: next)
        try fm.createDirectory(at: next, withIntermediateDirectories: true)
        let state = PPOResumeState(fingerprint: fingerprint, iteration: trainer.iteration, controller: trainer.controller,
                                   actorSteps: trainer.actorOptimizer.step, criticSteps: trainer.criticOptimizer?.step ?? 0,
                                   history: trainer.history)
        try JSONEncoder().encode(state).write(to: next.appendingPathComponent("state.json"))
        try writeFloats(trainer.actor.parameters.array(), to: next.appendingPathComponent("actor.f32"))
        try writeFloats(trainer.actorOptimizer.m.array(), to: next.appendingPathComponent("actor_m.f32"))
        try writeFloats(trainer.actorOptimizer.v.array(), to: next.appendingPathComponent("actor_v.f32"))
        if let critic = trainer.critic, let optimizer = trainer.criticOptimizer {
            try writeFloats(critic.parameters.array(), to: next.appendingPathComponent("critic.f32"))
            try writeFloats(optimizer.m.array(), to: next.appendingPathComponent("critic_m.f32"))
            try writeFloats(optimizer.v.array(), to: next.appendingPathComponent("critic_v.f32"))
        }
        try? fm.removeItem(at: current)
        try fm.moveItem(at: next, to: current)
    }

    /// Restores the snapshot in `directory/current` into `trainer` when it exists and matches `fingerprint`;
    /// returns whether it did. A snapshot of another run or with wrong sizes is ignored.
    public static func restore(_ trainer: PPOTrainer, fingerprint: String, from directory: URL) throws -> Bool {
        let current = directory.appendingPathComponent("current")
        guard let data = FileManager.default.contents(atPath: current.appendingPathComponent("state.json").path),
              let state = try? JSONDecoder().decode(PPOResumeState.self, from: data), state.fingerprint == fingerprint else {
            return false
        }
        let n = trainer.actor.parameterCount, ns = trainer.actorOptimizer.stateCount
        guard let actor = readFloats(current.appendingPathComponent("actor.f32"), count: n),
              let m = readFloats(current.appendingPathComponent("actor_m.f32"), count: ns),
              let v = readFloats(current.appendingPathComponent("actor_v.f32"), count: ns) else { return false }
        var criticState: (params: [Float], m: [Float], v: [Float])?
        if let critic = trainer.critic {
            let c = critic.parameterCount, cs = trainer.criticOptimizer?.stateCount ?? 0
            guard let p = readFloats(current.appendingPathComponent("critic.f32"), count: c),
                  let cm = readFloats(current.appendingPathComponent("critic_m.f32"), count: cs),
                  let cv = readFloats(current.appendingPathComponent("critic_v.f32"), count: cs) else { return false }
            criticState = (p, cm, cv)
        }
        try restoreOptimizer(trainer.actorOptimizer, of: trainer.actor, steps: state.actorSteps, m: m, v: v)
        trainer.actor.parameters.copy(from: actor)
        if let critic = trainer.critic, let optimizer = trainer.criticOptimizer, let criticState {
            try restoreOptimizer(optimizer, of: critic, steps: state.criticSteps, m: criticState.m, v: criticState.v)
            critic.parameters.copy(from: criticState.params)
        }
        trainer.iteration = state.iteration
        trainer.controller = state.controller
        trainer.history = state.history
        return true
    }

    /// Brings a fresh optimizer to `steps` steps with moments `m` and `v`.
    ///
    /// `AdamW` exposes no step setter, so this takes `steps` updates with zero gradients at learning rate 0
    /// (parameters unchanged: p −= 0·(…)) and then overwrites both moment buffers.
    private static func restoreOptimizer(_ optimizer: AdamW, of model: LlamaModel, steps: Int, m: [Float], v: [Float]) throws {
        model.zeroGradients()
        for _ in 0..<max(steps - optimizer.step, 0) { try optimizer.update(model, learningRate: 0) }
        optimizer.m.copy(from: m)
        optimizer.v.copy(from: v)
    }

    private static func writeFloats(_ values: [Float], to url: URL) throws {
        let data = values.withUnsafeBufferPointer { Data(buffer: $0) }
        try data.write(to: url)
    }

    private static func readFloats(_ url: URL, count: Int) -> [Float]? {
        guard let data = FileManager.default.contents(atPath: url.path), data.count == count * MemoryLayout<Float>.size else {
            return nil
        }
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}
