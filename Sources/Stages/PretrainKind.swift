import EngineCore
import Foundation
import Model
import Training

/// `pretrain`: trains a base causal LM from scratch on the plain-text corpus with the byte tokenizer.
///
/// Each step samples `batch_size` windows of `seq_len` bytes that start at a random corpus line
/// (BOS first). Outputs `model` (HF layout, `models/base/`) and `info` (`models/base.txt`).
struct PretrainKind: StageKind {
    /// `pretrain`.
    let name = "pretrain"
    /// Version 2: checkpoints carry torch_dtype and generation_config.json and honour the dtype param (see `GoldenOutputsTests`).
    let version = 2
    /// Trains a base model from scratch on the corpus.
    let summary = "train a base causal LM from scratch on a plain-text corpus (byte tokenizer)"

    /// The params of a `pretrain` node, each declared once.
    struct Declarations: ParamDeclarations {
        /// Weights dtype of the written checkpoint.
        let dtype = CheckpointDTypeParam.param
        /// Model config.
        let model = ModelSpec.param
        /// Tokens per window.
        let seqLen = Param.integer("seq_len", default: 64, in: 2...1_000_000, "tokens per training window (at most max_position_embeddings)")
        /// Optimiser settings.
        let schedule = ScheduleParams(steps: 600, batchSize: 16, learningRate: 3e-3)
    }

    /// The declarations.
    static let declared = Declarations()
    /// Model config, optimiser settings and window length.
    var params: [ParamSpec] { Self.declared.specs }
    /// The model must be valid and a window must fit in its context.
    var rules: [ParamRule] {
        [ModelSpec.rule,
         .stage("seq_len at most model.max_position_embeddings") { params, _ in _ = try Self.seqLen(params, config: ModelSpec.config(params)) }]
    }
    /// `corpus`: a text file.
    let inputs: [InputSpec]? = [InputSpec("corpus", format: "plain-text file (one document a line)")]
    /// `model` and `info`.
    let outputs: [String]? = ["model", "info"]
    /// Initialisation and window sampling use the pipeline seed.
    var usesRandomness: Bool { true }

    /// Trains and writes the base model.
    func run(_ context: StageContext) throws {
        let params = try checkedParams(context)
        let config = try ModelSpec.config(params)
        let schedule = try Self.declared.schedule.schedule(params)
        let seqLen = try Self.seqLen(params, config: config)
        let corpusURL = context.inputs["corpus"]!
        guard let data = FileManager.default.contents(atPath: corpusURL.path), !data.isEmpty else {
            throw StagesError.badInput(path: corpusURL.path, message: "the corpus is missing or empty")
        }
        let tokenizer = ByteTokenizer()
        let bytes = tokenizer.encode(String(decoding: data, as: UTF8.self))
        var lineStarts = [0]
        for (i, token) in bytes.enumerated() where token == 10 && i + 1 < bytes.count { lineStarts.append(i + 1) }

        let model = try LlamaModel(config: config, seed: context.seed)
        let trainer = CausalLMTrainer(model: model, schedule: schedule)
        var rng = Xoshiro256(seed: context.seed ^ 0x5052_4554_5241_494E)
        var loss = 0.0, smoothed = 0.0
        let started = Date()
        for step in 0..<schedule.steps {
            if context.isCancelled { throw StagesError.cancelled(node: context.node) }
            let windows = (0..<schedule.batchSize).map { _ -> [Int32] in
                let start = lineStarts[Int(rng.next() % UInt64(lineStarts.count))]
                return [tokenizer.special.bos] + bytes[start..<min(bytes.count, start + seqLen - 1)]
            }
            loss = try trainer.step(windows, masks: nil, index: step)
            smoothed = step == 0 ? loss : 0.95 * smoothed + 0.05 * loss
            if step % 10 == 0 || step == schedule.steps - 1 { context.metrics.record("pretrain_loss", step: step, value: loss) }
            context.progress.update(step: step + 1, total: schedule.steps, loss: smoothed)
        }
        guard smoothed.isFinite else { throw StagesError.trainingFailed(node: context.node, message: "loss is \(smoothed)") }
        try ModelFiles.save(model, tokenizer: tokenizer, context, output: "model")
        let seconds = Date().timeIntervalSince(started)
        let info = BaseInfo(origin: "trained from scratch by node '\(context.node)' (kind pretrain v\(version)) on the corpus "
                            + "\(corpusURL.lastPathComponent) (\(bytes.count) bytes, \(lineStarts.count) lines)",
                            config: config, parameterCount: model.parameterCount,
                            details: ["steps: \(schedule.steps), batch \(schedule.batchSize) x \(seqLen) tokens, peak lr \(schedule.learningRate)",
                                      String(format: "final loss (smoothed): %.4f nats/byte", smoothed),
                                      String(format: "training time: %.1f s", seconds),
                                      "seed: \(context.seed)"])
        try info.write(to: context.outputs["info"]!)
    }

    /// `seq_len`, checked against the model's context.
    static func seqLen(_ params: Params, config: LlamaConfig) throws -> Int {
        let value = try params.value(declared.seqLen)
        guard value <= config.maxPositionEmbeddings else {
            throw params.error(declared.seqLen, "\(value) is over the model's max_position_embeddings \(config.maxPositionEmbeddings)")
        }
        return value
    }
}
