import EngineCore
import Foundation
import Model
import Training
import World

/// `reports/sft_eval.json`.
struct SFTReport: Codable, Equatable {
    /// Training examples and validation examples.
    var trainExamples: Int
    /// Held-out examples.
    var validationExamples: Int
    /// Training loss (smoothed) over steps.
    var trainLoss: [LossPoint]
    /// Validation loss over steps.
    var validationLoss: [LossPoint]
    /// Format adherence of the greedy responses to the eval prompts (ends at EOS, no role markers).
    var format: FormatReport
    /// The first greedy responses to the eval prompts.
    var samples: [Completion]
    /// Greedy gold evaluation of the SFT model on the eval prompts (only with a world judge).
    var eval: GoldReport?
    /// The same numbers for the base model, when a base probe summary was given.
    var baseline: GoldReport?
    /// SFT minus base mean gold per family (and `all`), when a baseline was given.
    var goldGainByFamily: [String: Double]?
    /// Training time in seconds.
    var trainSeconds: Double

    /// JSON keys (snake_case).
    enum CodingKeys: String, CodingKey {
        case trainExamples = "train_examples"
        case validationExamples = "validation_examples"
        case trainLoss = "train_loss"
        case validationLoss = "validation_loss"
        case format, samples, eval
        case baseline
        case goldGainByFamily = "gold_gain_by_family"
        case trainSeconds = "train_seconds"
    }
}

/// `sft`: supervised fine-tuning of the base model on demonstrations, loss on response tokens only.
///
/// Reads any SFT format of the record reader (loss on every assistant turn or only the last, by
/// `loss_turns`; on every token for `{"text"}`). Holds out `validation_fraction` of the examples,
/// records train and validation loss curves as metrics, then answers the eval prompts greedily and
/// reports format adherence (ends at EOS, no role markers) and a sample table; with a `world` judge
/// wired it adds the gold scores. Outputs `model` (`models/sft/`) and `report` (`reports/sft_eval.json`).
/// With `lora`, only a LoRA adapter trains on the frozen base and `model` is a PEFT adapter directory, which
/// downstream nodes take with the base in `<role>_base` (see `ModelFiles`). Chats are in the base's own chat
/// template when it has one (real checkpoints), else in `ChatFormat` (the world's byte-tokenizer models).
struct SFTKind: StageKind {
    /// `sft`.
    let name = "sft"
    /// Version 6: the `lora` param (a PEFT adapter out, or merged weights), LoRA adapters as the base (5: conversations
    /// and eval prompts through the base model's chat template for tokenizers without role tokens (`ChatRenderer`), eval
    /// prompts with a system message or earlier turns; 4: TRL formats, format adherence and samples without the world,
    /// gold only with a world judge; 3: generation changes in Model; see `GoldenOutputsTests`).
    let version = 6
    /// Fine-tunes on demonstrations.
    let summary = "supervised fine-tuning on any TRL SFT format (loss on assistant turns, or every token of text), then greedy "
        + "answers to the eval prompts: format adherence, samples, and gold scores with a world judge"

    /// The params of an `sft` node, each declared once.
    struct Declarations: ParamDeclarations {
        /// Weights dtype of the written checkpoint.
        let dtype = CheckpointDTypeParam.param
        /// Optimiser settings.
        let schedule = ScheduleParams(steps: 400, batchSize: 32, learningRate: 1e-3)
        /// Evaluation generation settings.
        let generation = GenerationSettings.Declarations(promptCount: 0)
        /// Length grouping of batches.
        let lengthWindow = BatchOrder.lengthWindow
        /// Held-out share.
        let validationFraction = Param.number("validation_fraction", default: 0.05, in: 0...0.5, "share of demonstrations held out")
        /// Validation interval.
        let evalEvery = Param.integer("eval_every", default: nil, derived: "max(1, steps / 10)", in: 1...10_000_000,
                                      "steps between validation-loss measurements")
        /// Which assistant turns carry the loss.
        let lossTurns = Param.choice("loss_turns", default: SFTLossTurns.all,
                                     "\"all\" assistant turns of a conversation carry the loss, or only the \"last\"")
        /// Sample table rows.
        let samplesShown = Param.integer("samples_shown", default: 8, in: 0...10_000, "greedy eval responses kept in the report's sample table")
        /// LoRA instead of full fine-tuning.
        let lora = LoRASpec.param
    }

    /// The declarations.
    static let declared = Declarations()
    /// Optimiser, split, evaluation and generation settings.
    var params: [ParamSpec] { Self.declared.specs }
    /// `base` (checkpoint), `data` (SFT JSONL), `eval_prompts` (prompt JSONL), optional `baseline` (probe summary)
    /// and `world` (the world judge: gold scores of world prompts).
    let inputs: [InputSpec]? = ModelFiles.inputs("base") + [InputSpec("data", format: "SFT JSONL"),
                                InputSpec("eval_prompts", format: "prompts JSONL"),
                                InputSpec("baseline", required: false, format: "probe summary JSON (a probe node's summary)"),
                                JudgeInputs.inputs[0]]
    /// `model` and `report`.
    let outputs: [String]? = ["model", "report"]
    /// Batch order uses the pipeline seed.
    var usesRandomness: Bool { true }

    /// Fine-tunes, evaluates and writes the SFT model and report.
    func run(_ context: StageContext) throws {
        let params = try checkedParams(context)
        let declared = Self.declared
        let schedule = try declared.schedule.schedule(params)
        let settings = try declared.generation.settings(params)
        let validationFraction = try params.value(declared.validationFraction)
        let evalEvery = try params.value(declared.evalEvery, default: max(1, schedule.steps / 10))
        let lossTurns = try params.value(declared.lossTurns)
        let samplesShown = try params.value(declared.samplesShown)
        let dataURL = context.inputs["data"]!
        let records = try JSONFiles.sft(context, role: "data")
        let prompts = settings.take(try JSONFiles.prompts(context, role: "eval_prompts"))
        let baseline = try context.inputs["baseline"].map { try JSONFiles.read(ProbeSummary.self, from: $0).greedy }
        let lora = try LoRASpec.read(params)
        let input = try ModelFiles.loadInput(context, role: "base")
        let (model, renderer) = (input.model, input.renderer)
        let adapter = try lora.map { try LoRAStage.attach($0, to: model, seed: context.seed ^ 0x4C6F_5241) }
        let data = try SFTData(records, renderer: renderer, lossTurns: lossTurns, validationFraction: validationFraction,
                               maxLength: model.config.maxPositionEmbeddings,
                               file: context.displayPath(dataURL))

        let trainer = CausalLMTrainer(model: model, schedule: schedule)
        var order = BatchOrder(lengths: data.train.map(\.tokens.count), batchSize: schedule.batchSize,
                               windowBatches: try params.value(declared.lengthWindow), seed: context.seed ^ 0x5346_5453)
        var trainCurve: [LossPoint] = [], validationCurve: [LossPoint] = []
        var smoothed = 0.0
        let started = Date()
        func validate(_ step: Int) throws {
            let loss = try trainer.evaluate(data.validation.map(\.tokens), masks: data.validation.map(\.lossMask), batchSize: 64)
            validationCurve.append(LossPoint(step: step, loss: loss))
            context.metrics.record("sft_val_loss", step: step, value: loss)
        }
        try validate(0)
        for step in 0..<schedule.steps {
            if context.isCancelled { throw StagesError.cancelled(node: context.node) }
            let picked = order.next().map { data.train[$0] }
            let loss = try trainer.step(picked.map(\.tokens), masks: picked.map(\.lossMask), index: step)
            smoothed = step == 0 ? loss : 0.9 * smoothed + 0.1 * loss
            if step % 10 == 0 || step == schedule.steps - 1 {
                trainCurve.append(LossPoint(step: step + 1, loss: smoothed))
                context.metrics.record("sft_train_loss", step: step + 1, value: smoothed)
            }
            if (step + 1) % evalEvery == 0 || step == schedule.steps - 1 { try validate(step + 1) }
            context.progress.update(step: step + 1, total: schedule.steps, loss: smoothed)
        }
        let trainSeconds = Date().timeIntervalSince(started)
        guard smoothed.isFinite else { throw StagesError.trainingFailed(node: context.node, message: "loss is \(smoothed)") }
        try LoRAStage.save(model, adapter: adapter, lora: lora, input: input, kind: self, context, output: "model")

        context.progress.message("answering \(prompts.count) eval prompts")
        let sampler = PolicySampler(model: model, renderer: renderer, batchSize: settings.batchSize)
        let completions = try sampler.complete(prompts, temperature: 0, maxNewTokens: settings.maxNewTokens, seed: context.seed)
        let format = FormatReport(completions)
        context.metrics.record("sft_format_adherence", step: schedule.steps, value: format.formatAdherence)
        var eval: GoldReport?
        var gains: [String: Double]?
        if context.inputs["world"] != nil {
            let judged = try WorldJudge.goldReport(completions, node: context.node)
            eval = judged
            context.metrics.record("sft_eval_gold", step: schedule.steps, value: judged.overall.meanGold)
            if let baseline {
                var table = ["all": judged.overall.meanGold - baseline.overall.meanGold]
                for (family, stat) in judged.byFamily { table[family] = stat.meanGold - (baseline.byFamily[family]?.meanGold ?? 0) }
                gains = table
            }
        }
        let report = SFTReport(trainExamples: data.train.count, validationExamples: data.validation.count, trainLoss: trainCurve,
                               validationLoss: validationCurve, format: format, samples: Array(completions.prefix(samplesShown)),
                               eval: eval, baseline: baseline, goldGainByFamily: gains,
                               trainSeconds: trainSeconds)
        try JSONFiles.write(report, to: context.outputs["report"]!)
    }
}
