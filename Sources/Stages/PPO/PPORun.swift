import EngineCore
import Foundation
import Model
import Training
import World

/// One execution of a `ppo` node: load the four models, resume from a snapshot when one matches,
/// iterate, checkpoint, and write the policy (with its critic) and the metrics file.
struct PPORun {
    /// The node's context.
    let context: StageContext

    /// Runs to completion; `afterIteration` sees the number of completed iterations (tests use it to interrupt).
    func run(afterIteration: (Int) -> Void = { _ in }) throws {
        var config = try PPOConfig(PPOKind().checkedParams(context))
        config.goldJudge = context.inputs["world"] != nil
        let trainer = try makeTrainer(config)
        let fingerprint = try self.fingerprint()
        let resume = context.workspace.appendingPathComponent(".rlhf/resume/\(context.node)")
        let snapshotEvery = try Params(context).value(PPOParams.declared.snapshotEvery)
        let snapshots = resume.appendingPathComponent("snapshots")
        if try PPOResumeState.restore(trainer, fingerprint: fingerprint, from: resume) {
            context.progress.message("resumed at iteration \(trainer.iteration) of \(config.iterations)")
            for metrics in trainer.history { record(metrics) }
        } else {
            try? FileManager.default.removeItem(at: snapshots)
        }
        while trainer.iteration < config.iterations {
            if context.isCancelled { throw StagesError.cancelled(node: context.node) }
            let metrics = try trainer.step()
            record(metrics)
            context.progress.update(step: trainer.iteration, total: config.iterations, loss: metrics.policyLoss,
                                    figures: ["reward": metrics.rewardMean, "kl": metrics.klMean, "β": metrics.beta,
                                              "rollout s": metrics.rolloutSeconds ?? 0, "scoring s": metrics.scoringSeconds ?? 0,
                                              "update s": metrics.updateSeconds ?? 0])
            if snapshotEvery > 0, trainer.iteration % snapshotEvery == 0, trainer.iteration < config.iterations {
                try saveSnapshot(trainer, in: snapshots)
            }
            if trainer.iteration % config.checkpointEvery == 0 && trainer.iteration < config.iterations {
                try PPOResumeState.save(trainer, fingerprint: fingerprint, in: resume)
            }
            afterIteration(trainer.iteration)
        }
        try writeOutputs(trainer, snapshots: snapshots)
        try? FileManager.default.removeItem(at: resume)
        let peak = Benchmarks.peakResidentMegabytes
        context.metrics.record("peak_rss_mb", step: trainer.iteration, value: peak)
        context.progress.message(String(format: "peak resident memory of the process (ru_maxrss) %.0f MiB", peak))
    }

    /// Loads actor and reference from `sft`, RM and critic from `reward_model`, and the prompts.
    private func makeTrainer(_ config: PPOConfig) throws -> PPOTrainer {
        let (actor, tokenizer) = try ModelFiles.load(context, role: "sft")
        let (reference, _) = try ModelFiles.load(context, role: "sft")
        let (rewardModel, _) = try ModelFiles.load(context, role: "reward_model")
        let (critic, _) = try ModelFiles.load(context, role: "reward_model")
        let sftPath = try ModelFiles.directory(context, role: "sft").path
        let rmPath = try ModelFiles.directory(context, role: "reward_model").path
        guard !actor.config.hasScalarHead else {
            throw StagesError.badInput(path: sftPath, message: "is a scalar-head model; the `sft` input must be a LlamaForCausalLM checkpoint")
        }
        guard rewardModel.config.hasScalarHead else {
            throw StagesError.badInput(path: rmPath, message: "has no scalar head; the `reward_model` input must be a LlamaForSequenceClassification checkpoint")
        }
        guard rewardModel.config.vocabSize == actor.config.vocabSize, rewardModel.config.eosTokenId == actor.config.eosTokenId,
              rewardModel.config.padTokenId == actor.config.padTokenId else {
            throw StagesError.badInput(path: rmPath, message: "vocabulary or special ids differ from the SFT model at \(sftPath); "
                + "train the reward model from the same tokenizer")
        }
        guard let promptsURL = context.inputs["prompts"] else {
            throw StagesError.invalidInputs(node: context.node, message: "missing input 'prompts' (a prompts JSONL file)")
        }
        let prompts = try JSONFiles.prompts(context, role: "prompts")
        reference.setTrainable(false) { _ in true }
        rewardModel.setTrainable(false) { _ in true }
        return try PPOTrainer(config: config, sft: actor, reference: reference, rewardModel: rewardModel, critic: critic,
                              tokenizer: tokenizer, prompts: prompts, seed: context.seed)
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

    /// Saves the actor as `iter-<k>` (k zero-padded to 6 digits) under `directory`, kept with the resume state until the end.
    private func saveSnapshot(_ trainer: PPOTrainer, in directory: URL) throws {
        let target = directory.appendingPathComponent(Self.snapshotName(iteration: trainer.iteration))
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Checkpoint.save(trainer.actor, tokenizer: trainer.tokenizer, to: target, dtype: try CheckpointDTypeParam.read(Params(context)))
    }

    /// The directory name of the snapshot after `iteration` iterations.
    static func snapshotName(iteration: Int) -> String {
        "iter-" + String(repeating: "0", count: max(0, 6 - String(iteration).count)) + String(iteration)
    }

    /// Writes `policy` (HF layout, the critic in `critic/`), `metrics` (one JSON line per iteration) and `snapshots`
    /// (the snapshots kept in `snapshots`, moved).
    private func writeOutputs(_ trainer: PPOTrainer, snapshots: URL) throws {
        let output = context.outputs["snapshots"]!
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: snapshots.path)) ?? []
        for name in names.sorted() where name.hasPrefix("iter-") {
            try FileManager.default.moveItem(at: snapshots.appendingPathComponent(name), to: output.appendingPathComponent(name))
        }
        let policy = context.outputs["policy"]!
        let dtype = try CheckpointDTypeParam.read(Params(context))
        try Checkpoint.save(trainer.actor, tokenizer: trainer.tokenizer, to: policy, dtype: dtype)
        if let critic = trainer.critic {
            try Checkpoint.save(critic, tokenizer: trainer.tokenizer, to: policy.appendingPathComponent("critic"), dtype: dtype)
        }
        try JSONLWriter.write(trainer.history, to: context.outputs["metrics"]!)
    }
}
