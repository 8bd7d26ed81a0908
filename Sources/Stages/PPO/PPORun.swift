import EngineCore
import Foundation
import Model
import SafeTensors
import Training
import World

/// One execution of a `ppo` node: load the models (see `PPORun+Models.swift`), resume from a snapshot when one
/// matches, iterate, checkpoint, and write the policy (with its critic) and the metrics file.
struct PPORun {
    /// The node's context.
    let context: StageContext

    /// Runs to completion; `afterIteration` sees the number of completed iterations (tests use it to interrupt).
    func run(afterIteration: (Int) -> Void = { _ in }) throws {
        var config = try PPOConfig(PPOKind().checkedParams(context))
        config.goldJudge = context.inputs["world"] != nil
        let loaded = try loadModels(config)
        let trainer = loaded.trainer
        let fingerprint = try self.fingerprint()
        let resume = context.workspace.appendingPathComponent(".rlhf/resume/\(context.node)")
        let snapshotEvery = try Params(context).value(PPOParams.declared.snapshotEvery)
        let snapshots = resume.appendingPathComponent("snapshots")
        if try PPOResumeState.restore(trainer, fingerprint: fingerprint, from: resume) {
            context.progress.message("resumed at iteration \(trainer.iteration) of \(config.iterations)")
            for metrics in trainer.history { record(metrics) }
            for metrics in trainer.heldoutHistory { record(metrics) }
        } else {
            try? FileManager.default.removeItem(at: snapshots)
        }
        try evaluateHeldoutIfDue(trainer, total: config.iterations)
        while trainer.iteration < config.iterations {
            if context.isCancelled { throw StagesError.cancelled(node: context.node) }
            let metrics = try trainer.step()
            record(metrics)
            context.progress.update(step: trainer.iteration, total: config.iterations, loss: metrics.policyLoss,
                                    figures: ["reward": metrics.rewardMean, "kl": metrics.klMean, "β": metrics.beta,
                                              "rollout s": metrics.rolloutSeconds ?? 0, "scoring s": metrics.scoringSeconds ?? 0,
                                              "update s": metrics.updateSeconds ?? 0])
            try evaluateHeldoutIfDue(trainer, total: config.iterations)
            if snapshotEvery > 0, trainer.iteration % snapshotEvery == 0, trainer.iteration < config.iterations {
                try saveSnapshot(trainer, in: snapshots)
            }
            if trainer.iteration % config.checkpointEvery == 0 && trainer.iteration < config.iterations {
                try PPOResumeState.save(trainer, fingerprint: fingerprint, in: resume)
            }
            afterIteration(trainer.iteration)
        }
        try writeOutputs(loaded, snapshots: snapshots)
        try? FileManager.default.removeItem(at: resume)
        let peak = ProcessMemory.peakResidentMegabytes
        context.metrics.record("peak_rss_mb", step: trainer.iteration, value: peak)
        context.progress.message(String(format: "peak resident memory of the process (ru_maxrss) %.0f MiB", peak))
    }

    /// Identifies this exact run: node, params, seed and the content of every input.
    private func fingerprint() throws -> String {
        let hasher = FileHasher()
        var text = "ppo-resume-v1\n\(context.node)\n\(JSONValue.object(context.params).canonical)\n\(context.seed)\n"
        for role in context.inputs.keys.sorted() {
            text += "\(role)=\(try hasher.hash(path: context.inputs[role]!.path)?.hex ?? "missing")\n"
        }
        return ContentHash.of(text: text).hex
    }

    /// Sends one iteration's metrics to the catalog.
    private func record(_ metrics: PPOIterationMetrics) {
        for (name, value) in metrics.points { context.metrics.record(name, step: metrics.iteration, value: value) }
    }

    /// Samples and scores the held-out prompts when the trainer has them and an evaluation is due, sends the figures to
    /// the catalog and shows them.
    private func evaluateHeldoutIfDue(_ trainer: PPOTrainer, total: Int) throws {
        guard trainer.heldoutIsDue(total: total) else { return }
        let metrics = try trainer.evaluateHeldout()
        record(metrics)
        var text = String(format: "held-out after %d iteration(s): %d prompts, RM %.3f", metrics.iteration, metrics.promptCount, metrics.rmScoreMean)
        if let gold = metrics.goldScoreMean { text += String(format: ", gold %.3f", gold) }
        context.progress.message(text + String(format: ", KL %.3f (%.1f s)", metrics.klMean, metrics.seconds))
    }

    /// Sends one held-out evaluation's figures to the catalog (`heldout_*`, at its iteration count).
    private func record(_ metrics: PPOHeldoutMetrics) {
        context.metrics.record("heldout_rm_score_mean", step: metrics.iteration, value: metrics.rmScoreMean)
        if let gold = metrics.goldScoreMean { context.metrics.record("heldout_gold_score_mean", step: metrics.iteration, value: gold) }
        context.metrics.record("heldout_kl_mean", step: metrics.iteration, value: metrics.klMean)
    }

    /// Saves the actor as `iter-<k>` (k zero-padded to 6 digits) under `directory`, kept with the resume state until the end.
    private func saveSnapshot(_ trainer: PPOTrainer, in directory: URL) throws {
        let target = directory.appendingPathComponent(Self.snapshotName(iteration: trainer.iteration))
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Checkpoint.save(try policyWeights(trainer), tokenizer: trainer.tokenizer, to: target,
                            dtype: try CheckpointDTypeParam.read(Params(context)))
    }

    /// The policy as full weights: the actor, or for a LoRA policy a copy with the adapter merged in (a second copy
    /// exists only while a snapshot is written).
    private func policyWeights(_ trainer: PPOTrainer) throws -> LlamaModel {
        guard let adapter = trainer.policyAdapter else { return trainer.actor }
        let copy = try LlamaModel(copying: trainer.actor)
        try copy.attach(adapter, freezingBase: false)
        copy.mergeAdapter()
        return copy
    }

    /// The directory name of the snapshot after `iteration` iterations.
    static func snapshotName(iteration: Int) -> String {
        "iter-" + String(repeating: "0", count: max(0, 6 - String(iteration).count)) + String(iteration)
    }

    /// Writes `policy` (HF layout, or for a LoRA policy the PEFT adapter on the SFT input unless `lora.merge`; the critic in
    /// `critic/`), `metrics` (one JSON line per iteration, plus the held-out lines in between) and `snapshots` (the snapshots kept in `snapshots`, moved).
    private func writeOutputs(_ loaded: PPOLoadedModels, snapshots: URL) throws {
        let trainer = loaded.trainer
        let output = context.outputs["snapshots"]!
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: snapshots.path)) ?? []
        for name in names.sorted() where name.hasPrefix("iter-") {
            try FileManager.default.moveItem(at: snapshots.appendingPathComponent(name), to: output.appendingPathComponent(name))
        }
        let policy = context.outputs["policy"]!
        let dtype = try CheckpointDTypeParam.read(Params(context))
        if let lora = loaded.lora, let adapter = trainer.policyAdapter {
            try LoRAStage.save(trainer.actor, adapter: adapter, lora: lora, input: loaded.sft, kind: PPOKind(), context, output: "policy")
        } else {
            try Checkpoint.save(trainer.actor, tokenizer: trainer.tokenizer, to: policy, dtype: dtype)
        }
        try saveCritic(trainer, to: policy.appendingPathComponent("critic"), dtype: dtype)
        try JSONLWriter.write(PPOMetricsFileLine.ordered(history: trainer.history, heldout: trainer.heldoutHistory), to: context.outputs["metrics"]!)
    }

    /// Writes the critic: a whole model as a checkpoint; a shared-trunk critic as `value_head.safetensors` (its head as
    /// `score.weight`, (1,C)) and, with its own adapter, that adapter in PEFT's layout beside it.
    private func saveCritic(_ trainer: PPOTrainer, to directory: URL, dtype: CheckpointDType) throws {
        if let critic = trainer.critic {
            try Checkpoint.save(critic, tokenizer: trainer.tokenizer, to: directory, dtype: dtype)
            return
        }
        guard let head = trainer.criticHead else { return }
        try ModelFiles.reading(directory) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if let lora = trainer.criticAdapter { try lora.save(to: directory, baseModel: "the PPO policy's SFT weights") }
            var writer = SafeTensorsWriter()
            try head.weights.withUnsafeBufferPointer {
                try writer.add(name: "score.weight", shape: [1, head.weights.count], floats: $0, dtype: .F32)
            }
            try writer.write(to: directory.appendingPathComponent(PPORun.valueHeadFileName))
        }
    }

    /// File name of a shared-trunk critic's value head.
    static let valueHeadFileName = "value_head.safetensors"
}
