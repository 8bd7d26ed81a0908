import EngineCore
import Foundation
import Model
import Training
import World

/// `reward_model`: a scalar-head reward model (LlamaForSequenceClassification) on the SFT backbone,
/// trained with the Bradley-Terry loss on the preference set.
///
/// Holds out `heldout_fraction` of the prompts (all their pairs), then reports held-out accuracy,
/// mean margin, a calibration table with ECE, accuracy against the gold judge on fresh pairs
/// sampled from the backbone policy on `fresh_prompts`, and the Spearman correlation of reward and
/// length. Outputs `model` (`models/reward_model/`) and `report` (`reports/rm_eval.json`).
struct RewardModelKind: StageKind {
    /// `reward_model`.
    let name = "reward_model"
    /// Version 3: each pair is one packed sequence (its prompt computed once).
    let version = 3
    /// Optimiser, loss, split and fresh-pair settings.
    let params: [ParamSpec] = TrainingSchedule.specs + GenerationSettings.specs + [
        BatchOrder.spec,
        ParamSpec("epochs", .number, summary: "passes over the training pairs (sets steps when given)"),
        ParamSpec("margin", .number, summary: "margin m in −log σ(r_c − r_r − m)"),
        ParamSpec("centring", .number, summary: "weight of the reward-centring term (r_c + r_r)²"),
        ParamSpec("heldout_fraction", .number, summary: "share of prompts held out"),
        ParamSpec("trainable_layers", .integer, summary: "top transformer blocks trained with the head (default: all)"),
        ParamSpec("clear_gap", .number, summary: "gold difference above which a fresh pair counts as clear"),
        ParamSpec("fresh_k", .integer, summary: "completions sampled per fresh prompt"),
        ParamSpec("fresh_temperatures", .array, summary: "temperatures of the fresh samples, used in turn"),
    ]
    /// `backbone` (SFT checkpoint), `data` (preferences), `fresh_prompts` (prompt JSONL).
    let inputs: [InputSpec]? = [InputSpec("backbone"), InputSpec("data"), InputSpec("fresh_prompts")]
    /// `model` and `report`.
    let outputs: [String]? = ["model", "report"]
    /// Head initialisation, batch order and fresh samples use the pipeline seed.
    var usesRandomness: Bool { true }

    /// Trains, evaluates and writes the reward model.
    func run(_ context: StageContext) throws {
        let params = Params(context)
        let records = try JSONFiles.preferences(context, role: "data")
        let heldoutFraction = try params.double("heldout_fraction", default: 0.1, in: 0.01...0.5)
        var train: [PreferenceRecord] = [], heldout: [PreferenceRecord] = []
        for record in records {
            let bucket = Double(StableHash.hash("rm-split|" + record.prompt) % 10_000) / 10_000
            if bucket < heldoutFraction { heldout.append(record) } else { train.append(record) }
        }
        guard !train.isEmpty, !heldout.isEmpty else {
            throw StagesError.badInput(path: context.inputs["data"]!.path, message: "\(records.count) pairs are too few to hold out "
                + "\(heldoutFraction) of the prompts; add pairs or change heldout_fraction")
        }
        var schedule = try TrainingSchedule(params, steps: 200, batchSize: 16, learningRate: 3e-4)
        if params.values["epochs"] != nil {
            let value = try params.double("epochs", default: 1, in: 0.01...1000)
            schedule.steps = max(1, Int((value * Double(train.count) / Double(schedule.batchSize)).rounded()))
            schedule.warmupSteps = min(schedule.warmupSteps, schedule.steps / 5)
        }
        let settings = try GenerationSettings(params, promptCount: 100)

        let (policy, tokenizer) = try ModelFiles.load(context, role: "backbone")
        guard !policy.config.hasScalarHead else {
            throw StagesError.badInput(path: context.inputs["backbone"]!.path, message: "the backbone must be a causal LM (the SFT model)")
        }
        let model = try LlamaModel(config: policy.config.withScalarHead(), seed: context.seed ^ 0x524D)
        model.copyMatchingParameters(from: policy)
        let layers = model.config.numHiddenLayers
        let trainable = try params.int("trainable_layers", default: layers, in: 0...layers)
        if trainable < layers {
            model.setTrainable(false) { name in
                name == "model.embed_tokens.weight" || (0..<(layers - trainable)).contains { name.hasPrefix("model.layers.\($0).") }
            }
        }
        let trainer = RewardTrainer(model: model, tokenizer: tokenizer, schedule: schedule)
        trainer.margin = try params.double("margin", default: 0, in: -100...100)
        trainer.centring = try params.double("centring", default: 0.01, in: 0...100)

        let lengths = try train.map { try trainer.packedPair(prompt: $0.prompt, chosen: $0.chosen, rejected: $0.rejected).count }
        var order = BatchOrder(lengths: lengths, batchSize: schedule.batchSize, windowBatches: try BatchOrder.windowBatches(params),
                               seed: context.seed ^ 0x5254_5241_494E)
        var curve: [LossPoint] = []
        var smoothed = 0.0
        let started = Date()
        for step in 0..<schedule.steps {
            if context.isCancelled { throw StagesError.cancelled(node: context.node) }
            let picked = order.next().map { (train[$0].prompt, train[$0].chosen, train[$0].rejected) }
            let (loss, accuracy) = try trainer.step(picked.map { (prompt: $0.0, chosen: $0.1, rejected: $0.2) }, index: step)
            smoothed = step == 0 ? loss : 0.9 * smoothed + 0.1 * loss
            if step % 10 == 0 || step == schedule.steps - 1 {
                curve.append(LossPoint(step: step + 1, loss: smoothed))
                context.metrics.record("rm_train_loss", step: step + 1, value: smoothed)
                context.metrics.record("rm_train_accuracy", step: step + 1, value: accuracy)
            }
            context.progress.update(step: step + 1, total: schedule.steps, loss: smoothed)
        }
        guard smoothed.isFinite else { throw StagesError.trainingFailed(node: context.node, message: "loss is \(smoothed)") }
        let trainSeconds = Date().timeIntervalSince(started)
        try ModelFiles.save(model, tokenizer: tokenizer, context, output: "model")

        let evaluation = RewardEvaluation(trainer: trainer)
        let heldoutResult = try evaluation.pairs(heldout)
        let trainRewards = try trainer.scores(train.prefix(512).flatMap { [($0.prompt, $0.chosen), ($0.prompt, $0.rejected)] })
        context.progress.message("sampling fresh pairs from the backbone policy")
        let freshPrompts = settings.take(try JSONFiles.prompts(context, role: "fresh_prompts")).map(\.prompt)
        let sampler = CandidateSampler(sampler: PolicySampler(model: policy, tokenizer: tokenizer, batchSize: settings.batchSize),
                                       k: try params.int("fresh_k", default: 4, in: 2...64),
                                       temperatures: try params.doubles("fresh_temperatures", default: [0.7, 1.0, 1.3], in: 0...10),
                                       maxNewTokens: settings.maxNewTokens)
        let fresh = try evaluation.gold(clearGap: try params.double("clear_gap", default: 0.2, in: 0...1), try sampler.sample(freshPrompts, seed: context.seed ^ 0x4652_4553_48, context: context))
        let report = RewardReport(trainPairs: train.count, trainLoss: curve, heldout: heldoutResult.accuracy,
                                  lengthMatched: heldoutResult.lengthMatched, calibration: heldoutResult.calibration,
                                  goldAgreement: fresh.clearAgreement, goldAgreementAll: fresh.agreement, clearGap: fresh.clearGap, spearmanRewardLength: heldoutResult.spearmanLength,
                                  spearmanRewardLengthFresh: fresh.spearmanLength, spearmanRewardGoldFresh: fresh.spearmanGold,
                                  rewardMean: Statistics.mean(trainRewards), rewardStd: Statistics.standardDeviation(trainRewards),
                                  margin: trainer.margin, centring: trainer.centring, trainSeconds: trainSeconds)
        for (name, value) in [("rm_heldout_accuracy", report.heldout.accuracy), ("rm_heldout_margin", report.heldout.meanMargin),
                              ("rm_ece", report.calibration.ece), ("rm_gold_agreement", report.goldAgreement.accuracy),
                              ("rm_spearman_length", report.spearmanRewardLength)] {
            context.metrics.record(name, step: schedule.steps, value: value)
        }
        try JSONFiles.write(report, to: context.outputs["report"]!)
    }
}
