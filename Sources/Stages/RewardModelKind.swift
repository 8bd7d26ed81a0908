import EngineCore
import Foundation
import Model
import Training
import World

/// `reward_model`: a scalar-head reward model (LlamaForSequenceClassification) on the SFT backbone,
/// trained with the Bradley-Terry loss on the preference set.
///
/// Reads any TRL preference format. Holds out `heldout_fraction` of the prompts (all their pairs), then
/// reports held-out accuracy, mean margin, a calibration table with ECE and the Spearman correlation of
/// reward and length. With `data_margin` above 0 each pair's own margin (`margin`, or `score_chosen −
/// score_rejected`) times it enters the loss. Agreement on fresh pairs sampled from the backbone on
/// `fresh_prompts` is reported only for a wired judge: `world` (gold), a command judge; a `labels`
/// file gives the agreement on its own pairs. Outputs `model` and `report` (`reports/rm_eval.json`). With
/// `lora`, the backbone is a frozen trunk with a LoRA adapter and a trainable score head, saved as PEFT saves a
/// SEQ_CLS task (the head in `modules_to_save`), and the backbone's own adapter comes along as `parent/`.
struct RewardModelKind: StageKind {
    /// `reward_model`.
    let name = "reward_model"
    /// Version 7: the `lora` param (an adapter plus the score head, saved as PEFT saves SEQ_CLS), LoRA backbones
    /// (6: conversational prompts (system message, earlier turns) through the backbone's chat template for tokenizers
    /// without role tokens; 5: TRL formats, pair margins from data, fresh-pair agreement only with a wired judge;
    /// 4: generation changes in Model, the Bradley-Terry loss through `LogitMath`; see `GoldenOutputsTests`).
    let version = 7
    /// Trains a reward model.
    let summary = "a scalar-head reward model on the SFT backbone, trained with the Bradley-Terry loss on any TRL preference data; "
        + "held-out accuracy, margin, calibration and length correlation, and agreement with wired judges"

    /// The params of a `reward_model` node, each declared once.
    struct Declarations: ParamDeclarations {
        /// Weights dtype of the written checkpoint.
        let dtype = CheckpointDTypeParam.param
        /// Optimiser settings.
        let schedule = ScheduleParams(steps: 200, batchSize: 16, learningRate: 3e-4)
        /// Fresh-pair generation settings.
        let generation = GenerationSettings.Declarations(promptCount: 100)
        /// Length grouping of batches.
        let lengthWindow = BatchOrder.lengthWindow
        /// Passes over the pairs.
        let epochs = Param.number("epochs", default: nil, in: 0.01...1000, "passes over the training pairs; sets steps (give one of the two)")
        /// Bradley-Terry margin.
        let margin = Param.number("margin", default: 0, in: -100...100, "margin m in −log σ(r_c − r_r − m)")
        /// Reward centring weight.
        let centring = Param.number("centring", default: 0.01, in: 0...100, "weight of the reward-centring term (r_c + r_r)²")
        /// Held-out share.
        let heldoutFraction = Param.number("heldout_fraction", default: 0.1, in: 0.01...0.5, "share of prompts held out")
        /// Trained blocks.
        let trainableLayers = Param.integer("trainable_layers", default: nil, derived: "all layers", in: 0...1024,
                                            "top transformer blocks trained with the head")
        /// Clear-pair gold gap.
        let clearGap = Param.number("clear_gap", default: 0.2, in: 0...1, "gold difference above which a fresh pair counts as clear")
        /// Fresh completions per prompt.
        let freshK = Param.integer("fresh_k", default: 4, in: 2...64, "completions sampled per fresh prompt")
        /// Fresh temperatures.
        let freshTemperatures = Param.numbers("fresh_temperatures", default: [0.7, 1.0, 1.3], in: 0...10,
                                              "temperatures of the fresh samples, used in turn")
        /// Scale of the data's own margins.
        let dataMargin = Param.number("data_margin", default: 0, in: 0...1000,
                                      "scale of each pair's own margin (margin, or score_chosen − score_rejected) in the loss; 0: unused")
        /// The command judge.
        let judges = JudgeInputs.Declarations()
        /// A LoRA adapter plus the score head instead of training the trunk.
        let lora = LoRASpec.param
    }

    /// The declarations.
    static let declared = Declarations()
    /// Optimiser, loss, split and fresh-pair settings.
    var params: [ParamSpec] { Self.declared.specs }
    /// `steps` and `epochs` exclude each other.
    var rules: [ParamRule] {
        [.stage("steps and epochs exclude each other") { params, _ in
            if params.isSet(Self.declared.epochs) && params.isSet(Self.declared.schedule.steps) {
                throw params.error(Self.declared.epochs, "sets the number of steps; remove either steps or epochs")
            }
        },
         .stage("lora and trainable_layers exclude each other") { params, _ in
            if params.isSet(Self.declared.lora) && params.isSet(Self.declared.trainableLayers) {
                throw params.error(Self.declared.trainableLayers, "does not apply with lora (the adapter covers every layer and the "
                    + "score head trains); remove one of the two")
            }
        }]
    }
    /// `backbone` (SFT checkpoint), `data` (preferences), optional `fresh_prompts` (prompt JSONL) and judges.
    let inputs: [InputSpec]? = ModelFiles.inputs("backbone", format: "causal LM checkpoint directory (the SFT model)")
        + [InputSpec("data", format: "preferences JSONL"),
                                InputSpec("fresh_prompts", required: false, format: "prompts JSONL (fresh pairs for a world or command judge)")]
        + JudgeInputs.inputs
    /// `model` and `report`.
    let outputs: [String]? = ["model", "report"]
    /// Head initialisation, batch order and fresh samples use the pipeline seed.
    var usesRandomness: Bool { true }

    /// Trains, evaluates and writes the reward model.
    func run(_ context: StageContext) throws {
        let params = try checkedParams(context)
        let declared = Self.declared
        let dataURL = context.inputs["data"]!
        let numbered = try JSONFiles.numberedPreferences(context, role: "data")
        let records = numbered.map(\.record)
        let heldoutFraction = try params.value(declared.heldoutFraction)
        var train: [PreferenceRecord] = [], heldout: [PreferenceRecord] = []
        for record in records {
            let bucket = Double(StableHash.hash("rm-split|" + record.prompt) % 10_000) / 10_000
            if bucket < heldoutFraction { heldout.append(record) } else { train.append(record) }
        }
        guard !train.isEmpty, !heldout.isEmpty else {
            throw StagesError.badInput(path: context.displayPath(context.inputs["data"]!), message: "\(records.count) pairs are too few to hold out "
                + "\(heldoutFraction) of the prompts; add pairs or change heldout_fraction")
        }
        var schedule = try declared.schedule.schedule(params)
        if let epochs = try params.optional(declared.epochs) {
            schedule.steps = max(1, Int((epochs * Double(train.count) / Double(schedule.batchSize)).rounded()))
            schedule.warmupSteps = min(schedule.warmupSteps, schedule.steps / 5)
        }
        let settings = try declared.generation.settings(params)

        let lora = try LoRASpec.read(params)
        try Self.checkCausal(context)
        // With LoRA the backbone loads once, as the reward model's frozen trunk; the causal policy loads only to
        // sample fresh pairs. Without, the reward model is a trainable copy of the policy.
        let backbone = try ModelFiles.loadInput(context, role: "backbone", scalarHead: lora != nil)
        let renderer = backbone.renderer
        let model: LlamaModel
        var adapter: LoRAAdapter?
        if let lora {
            model = backbone.model
            adapter = try Self.attachLoRA(lora, to: model, seed: context.seed)
        } else {
            model = try LlamaModel(config: backbone.model.config.withScalarHead(), seed: context.seed ^ 0x524D)
            model.copyMatchingParameters(from: backbone.model)
        }
        let layers = model.config.numHiddenLayers
        let trainable = try params.value(declared.trainableLayers, default: layers)
        guard trainable <= layers else { throw params.error(declared.trainableLayers, "\(trainable) is over the backbone's \(layers) layers") }
        if trainable < layers {
            model.setTrainable(false) { name in
                name == "model.embed_tokens.weight" || (0..<(layers - trainable)).contains { name.hasPrefix("model.layers.\($0).") }
            }
        }
        let trainer = RewardTrainer(model: model, renderer: renderer, schedule: schedule)
        try Self.checkLengths(numbered, trainer: trainer, limit: model.config.maxPositionEmbeddings,
                              file: context.displayPath(dataURL))
        trainer.margin = try params.value(declared.margin)
        trainer.centring = try params.value(declared.centring)
        let dataMargin = try params.value(declared.dataMargin)

        let lengths = try train.map { try trainer.packedPair(prompt: $0.chat, chosen: $0.chosen, rejected: $0.rejected).count }
        var order = BatchOrder(lengths: lengths, batchSize: schedule.batchSize, windowBatches: try params.value(declared.lengthWindow),
                               seed: context.seed ^ 0x5254_5241_494E)
        var curve: [LossPoint] = []
        var smoothed = 0.0
        let started = Date()
        for step in 0..<schedule.steps {
            if context.isCancelled { throw StagesError.cancelled(node: context.node) }
            let indices = order.next()
            let picked = indices.map { (prompt: train[$0].chat, chosen: train[$0].chosen, rejected: train[$0].rejected) }
            let margins = dataMargin == 0 ? nil : indices.map { dataMargin * (train[$0].margin ?? 0) }
            let (loss, accuracy) = try trainer.step(picked, pairMargins: margins, index: step)
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
        try LoRAStage.save(model, adapter: adapter, lora: lora, input: backbone, head: true, kind: self, context, output: "model")

        let evaluation = RewardEvaluation(trainer: trainer)
        let heldoutResult = try evaluation.pairs(heldout)
        let trainRewards = try trainer.scores(train.prefix(512).flatMap { [($0.chat, $0.chosen), ($0.chat, $0.rejected)] })
        let policy = { lora == nil ? backbone : try ModelFiles.loadInput(context, role: "backbone") }
        let fresh = try FreshAgreement(context: context, params: params, settings: settings, policy: policy,
                                       evaluation: evaluation, trainer: trainer)
        let report = RewardReport(trainPairs: train.count, trainLoss: curve, heldout: heldoutResult.accuracy,
                                  lengthMatched: heldoutResult.lengthMatched, calibration: heldoutResult.calibration,
                                  goldAgreement: fresh.gold?.clearAgreement, goldAgreementAll: fresh.gold?.agreement, clearGap: fresh.gold?.clearGap,
                                  judgeAgreement: fresh.judges.isEmpty ? nil : fresh.judges, judgePositionBias: fresh.positionBias,
                                  spearmanRewardLength: heldoutResult.spearmanLength,
                                  spearmanRewardLengthFresh: fresh.gold?.spearmanLength ?? fresh.spearmanLength, spearmanRewardGoldFresh: fresh.gold?.spearmanGold,
                                  rewardMean: Statistics.mean(trainRewards), rewardStd: Statistics.standardDeviation(trainRewards),
                                  margin: trainer.margin, dataMargin: dataMargin, centring: trainer.centring, trainSeconds: trainSeconds)
        var metrics = [("rm_heldout_accuracy", report.heldout.accuracy), ("rm_heldout_margin", report.heldout.meanMargin),
                       ("rm_ece", report.calibration.ece), ("rm_spearman_length", report.spearmanRewardLength)]
        if let gold = report.goldAgreement { metrics.append(("rm_gold_agreement", gold.accuracy)) }
        for (judge, agreement) in fresh.judges.sorted(by: { $0.key < $1.key }) { metrics.append(("rm_\(judge)_agreement", agreement.accuracy)) }
        if let bias = fresh.positionBias { metrics.append(("judge/command/position_bias", bias)) }
        for (name, value) in metrics {
            context.metrics.record(name, step: schedule.steps, value: value)
        }
        try JSONFiles.write(report, to: context.outputs["report"]!)
    }

    /// Makes `model` (the backbone's trunk under a zero scalar head) a LoRA reward model: the trunk frozen, a fresh
    /// adapter, and a trainable score head drawn from N(0, initializer_range²).
    static func attachLoRA(_ lora: LoRASpec.Setting, to model: LlamaModel, seed: UInt64) throws -> LoRAAdapter {
        var rng = Xoshiro256(seed: seed ^ 0x524D)
        let std = Double(model.config.initializerRange)
        try model.setParameter(named: "score.weight", to: (0..<model.config.hiddenSize).map { _ in Float(rng.nextNormal() * std) })
        let adapter = try LoRAStage.attach(lora, to: model, seed: seed ^ 0x524D_4C6F)
        model.setTrainable(true) { $0 == "score.weight" }
        return adapter
    }

    /// Fails unless the backbone (a checkpoint, or an adapter on one) is a causal LM.
    static func checkCausal(_ context: StageContext) throws {
        let url = try ModelFiles.directory(context, role: "backbone")
        let scalar = try ModelFiles.reading(url) {
            ModelFiles.isAdapter(url) ? try LoRAAdapter.savesScalarHead(url) : try Checkpoint.loadConfig(from: url).hasScalarHead
        }
        if scalar { throw StagesError.badInput(path: url.path, message: "the backbone must be a causal LM (the SFT model)") }
    }

    /// Fails naming the file and line of the first pair whose prompt and chosen or rejected response take
    /// more tokens than the model's context.
    static func checkLengths(_ records: [(line: Int, record: PreferenceRecord)], trainer: RewardTrainer, limit: Int, file: String) throws {
        for (line, record) in records {
            for (field, response) in [("chosen", record.chosen), ("rejected", record.rejected)] {
                let count = try trainer.tokens(prompt: record.chat, response: response).count
                guard count <= limit else {
                    throw StagesError.badInput(path: file, message: "line \(line): prompt and \(field) take \(count) tokens, over the model's "
                        + "\(limit); shorten the pair or use a backbone with a longer max_position_embeddings")
                }
            }
        }
    }
}

/// The reward model's agreement with the wired judges: on fresh pairs sampled from the backbone (world
/// and command judges) and on a labels file's own pairs.
struct FreshAgreement {
    /// Gold agreement on fresh pairs (world judge only).
    var gold: RewardEvaluation.Fresh?
    /// Accuracy against each other judge, by judge name.
    var judges: [String: PairAccuracy] = [:]
    /// The command judge's position bias on the fresh pairs.
    var positionBias: Double?
    /// Spearman correlation of reward and length on the fresh samples, when sampled without the world.
    var spearmanLength: Double?

    /// Samples fresh pairs when a world or command judge is wired and compares the reward model with every judge.
    init(context: StageContext, params: Params, settings: GenerationSettings, policy: () throws -> LoadedModel, evaluation: RewardEvaluation,
         trainer: RewardTrainer) throws {
        let world = JudgeInputs.world(context) != nil
        var command = try JudgeInputs.command(context)
        if let labels = try JudgeInputs.labels(context) {
            let decided = labels.labels.filter { $0.verdict.winner != .tie }
            let rewards = try trainer.scores(decided.flatMap { [($0.prompt, $0.responseA), ($0.prompt, $0.responseB)] })
            judges["labels"] = PairAccuracy(margins: decided.indices.map { i in
                let margin = rewards[2 * i] - rewards[2 * i + 1]
                return decided[i].verdict.winner == .a ? margin : -margin
            })
        }
        guard world || command != nil else { return }
        guard context.inputs["fresh_prompts"] != nil else {
            throw StagesError.invalidInputs(node: context.node, message: "a \(world ? "world" : "command") judge is wired, so the agreement on fresh pairs needs input 'fresh_prompts'")
        }
        context.progress.message("sampling fresh pairs from the backbone policy")
        let freshPrompts = settings.take(try JSONFiles.prompts(context, role: "fresh_prompts"))
        let declared = RewardModelKind.declared
        let sampler = CandidateSampler(sampler: try policy().sampler(batchSize: settings.batchSize),
                                       k: try params.value(declared.freshK), temperatures: try params.value(declared.freshTemperatures),
                                       maxNewTokens: settings.maxNewTokens)
        let groups = try sampler.sample(freshPrompts, seed: context.seed ^ 0x4652_4553_48, context: context)
        if world {
            gold = try evaluation.gold(clearGap: try params.value(declared.clearGap), groups)
        }
        guard command != nil else { return }
        let pairs = groups.indices.flatMap { JudgePair.all(prompt: freshPrompts[$0], candidates: groups[$0], idPrefix: "f\($0 + 1)") }
        let verdicts = try command!.judge(pairs)
        let rewards = try trainer.scores(pairs.flatMap { [($0.chat, $0.a.text), ($0.chat, $0.b.text)] })
        judges["command"] = PairAccuracy(margins: zip(pairs.indices, verdicts).compactMap { i, verdict in
            guard let verdict, verdict.winner != .tie else { return nil }
            let margin = rewards[2 * i] - rewards[2 * i + 1]
            return verdict.winner == .a ? margin : -margin
        })
        positionBias = command!.positionBias
        if !world {
            let flat = groups.indices.flatMap { i in groups[i].map { (prompt: freshPrompts[i].chat, response: $0.text) } }
            spearmanLength = Statistics.spearman(try trainer.scores(flat), flat.map { Double($0.response.count) }) ?? 0
        }
    }
}
