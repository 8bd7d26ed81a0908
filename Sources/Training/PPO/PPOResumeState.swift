import Foundation
import Kernels
import Model

/// A resumable snapshot of a PPO run: models, optimizer moments and steps, β, iteration and metrics (held-out ones too) so far.
///
/// Layout of a snapshot directory: `state.json` plus raw little-endian float32 files: `actor.f32` (or, with a LoRA
/// policy, `actor_adapter.f32`), `actor_m.f32`, `actor_v.f32` and, with a critic, `critic.f32` (or
/// `critic_adapter.f32`), `critic_m.f32`, `critic_v.f32` and a shared-trunk critic's `value_head{,_m,_v}.f32`.
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
    /// Held-out evaluations so far (absent in snapshots of runs without held-out prompts).
    var heldoutHistory: [PPOHeldoutMetrics]?
    /// Each held-out prompt's gold at the first held-out evaluation (absent without held-out prompts).
    var heldoutBaseline: [Double?]?

    /// Writes the trainer's state into `directory/current`, atomically replacing an older snapshot.
    public static func save(_ trainer: PPOTrainer, fingerprint: String, in directory: URL) throws {
        let fm = FileManager.default
        let next = directory.appendingPathComponent("next")
        let current = directory.appendingPathComponent("current")
        try? fm.removeItem(at: next)
        try fm.createDirectory(at: next, withIntermediateDirectories: true)
        let state = PPOResumeState(fingerprint: fingerprint, iteration: trainer.iteration, controller: trainer.controller,
                                   actorSteps: trainer.actorOptimizer.step, criticSteps: criticSteps(trainer),
                                   history: trainer.history, heldoutHistory: trainer.heldoutHistory.isEmpty ? nil : trainer.heldoutHistory,
                                   heldoutBaseline: trainer.heldout?.baselineGold)
        try JSONEncoder().encode(state).write(to: next.appendingPathComponent("state.json"))
        for (name, buffer) in floatFiles(trainer) {
            try writeFloats(buffer.values(), to: next.appendingPathComponent("\(name).f32"))
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
        let files = floatFiles(trainer)
        var read: [[Float]] = []
        for (name, buffer) in files {
            guard let values = readFloats(current.appendingPathComponent("\(name).f32"), count: buffer.count) else { return false }
            read.append(values)
        }
        // Only the step counts: logging the restore as updates would pull the next iteration's mean gradient norm down.
        trainer.actorOptimizer.resume(atStep: state.actorSteps)
        switch trainer.criticState {
        case .model(_, let optimizer)?, .adapter(_, _, let optimizer)?: optimizer.resume(atStep: state.criticSteps)
        case .frozenTrunk?, nil: break
        }
        for ((_, buffer), values) in zip(files, read) { buffer.assign(values) }
        if let head = trainer.criticHead { head.step = state.criticSteps }
        trainer.iteration = state.iteration
        trainer.controller = state.controller
        trainer.history = state.history
        trainer.heldoutHistory = state.heldoutHistory ?? []
        trainer.heldout?.baselineGold = state.heldoutBaseline
        return true
    }

    /// Optimiser steps of the critic (its adapter's AdamW, or its value head's when the trunk is frozen).
    private static func criticSteps(_ trainer: PPOTrainer) -> Int {
        switch trainer.criticState {
        case .model(_, let optimizer)?, .adapter(_, _, let optimizer)?: return optimizer.step
        case .frozenTrunk(let head)?: return head.step
        case nil: return 0
        }
    }

    /// Every float array a snapshot holds, by file name: what trains of the actor (the whole model, or only its
    /// adapter) with its AdamW moments, and the same of the critic (model, adapter, value head).
    private static func floatFiles(_ trainer: PPOTrainer) -> [(String, FloatStore)] {
        var files: [(String, FloatStore)] = []
        if let lora = trainer.policyAdapter {
            files.append(("actor_adapter", .buffer(lora.parameters)))
        } else {
            files.append(("actor", .buffer(trainer.actor.parameters)))
        }
        files += [("actor_m", .buffer(trainer.actorOptimizer.m)), ("actor_v", .buffer(trainer.actorOptimizer.v))]
        switch trainer.criticState {
        case .model(let critic, let optimizer)?:
            files += [("critic", .buffer(critic.parameters)), ("critic_m", .buffer(optimizer.m)), ("critic_v", .buffer(optimizer.v))]
        case .adapter(let lora, let head, let optimizer)?:
            files += [("critic_adapter", .buffer(lora.parameters)), ("critic_m", .buffer(optimizer.m)),
                      ("critic_v", .buffer(optimizer.v))]
            files += valueHeadFiles(head)
        case .frozenTrunk(let head)?:
            files += valueHeadFiles(head)
        case nil: break
        }
        return files
    }

    /// The value head's weights and moments.
    private static func valueHeadFiles(_ head: ValueHead) -> [(String, FloatStore)] {
        [("value_head", .head(head, \.weights)), ("value_head_m", .head(head, \.m)), ("value_head_v", .head(head, \.v))]
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

/// A float array of the trainer that a snapshot saves and restores in place.
private enum FloatStore {
    /// A model, adapter or optimiser buffer.
    case buffer(FloatBuffer)
    /// An array of a value head.
    case head(ValueHead, ReferenceWritableKeyPath<ValueHead, [Float]>)

    /// Number of floats.
    var count: Int {
        switch self {
        case .buffer(let b): return b.count
        case .head(let h, let path): return h[keyPath: path].count
        }
    }

    /// A copy of the values.
    func values() -> [Float] {
        switch self {
        case .buffer(let b): return b.array()
        case .head(let h, let path): return h[keyPath: path]
        }
    }

    /// Overwrites the values (`values.count == count`).
    func assign(_ values: [Float]) {
        switch self {
        case .buffer(let b): b.copy(from: values)
        case .head(let h, let path): h[keyPath: path] = values
        }
    }
}
