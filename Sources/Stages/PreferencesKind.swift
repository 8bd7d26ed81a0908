import EngineCore
import Foundation
import Model
import Training
import World

/// `preferences`: the preference set, from a file or by sampling the policy and asking a judge.
///
/// With input `data` it reads a preference file in any TRL format (bad lines fail with file and line)
/// and writes it in the plain `{"prompt","chosen","rejected"}` form. Otherwise it samples `k` completions
/// per prompt of `prompts` from `policy` (the SFT model) at the `temperatures` in turn and labels pairs
/// with a judge: a wired `judge_reward_model`, `judge_command` (or `judge_cmd`), `labels` or `world`
/// judge (all pairs, ties dropped, the judge's reason kept), or by default the world's noisy annotator
/// (params under `annotator`: seed, temperature, length_bias, label_flip_rate; pairs per `pairs`,
/// `all_pairs` or `best_vs_rest`, in random A/B order; with `contrast_pairs`, that share of prompts also
/// gets a correct sample against its near miss of the same shape).
struct PreferencesKind: StageKind {
    /// `preferences`.
    let name = "preferences"
    /// Version 8: LoRA adapters as models (7: conversational prompts (system message, earlier turns) kept and rendered
    /// through the policy's chat template for tokenizers without role tokens; 6: candidates differing only in surrounding
    /// whitespace are one response; 5: TRL preference formats in, judges as inputs; 4: a prompt's k completions share
    /// one generation batch).
    let version = 8
    /// Builds or checks the preference set.
    let summary = "the preference set: a preferences file in any TRL format, or pairs sampled from the policy and labelled by a wired judge "
        + "(reward model, command, labels, world) or the world's annotator"

    /// The params of a `preferences` node, each declared once.
    struct Declarations: ParamDeclarations {
        /// Generation settings.
        let generation = GenerationSettings.Declarations(promptCount: 0)
        /// Completions per prompt.
        let k = Param.integer("k", default: 4, in: 2...64, "completions sampled per prompt")
        /// Sampling temperatures.
        let temperatures = Param.numbers("temperatures", default: [0.7, 1.0, 1.3], in: 0...10, "sampling temperatures, used in turn")
        /// Pairing mode.
        let pairs = Param.choice("pairs", default: PairMode.allPairs, "which pairs of a prompt's completions are labelled")
        /// Tie handling.
        let skipTies = Param.flag("skip_ties", default: true, "drop pairs the annotator rates about the same")
        /// Tie threshold.
        let tieThreshold = Param.number("tie_threshold", default: 0, in: 0...10, "largest utility difference rated about the same (0: exact ties)")
        /// Contrast pairs.
        let contrastPairs = Param.number("contrast_pairs", default: 0, in: 0...1,
                                         "share of prompts that also get a contrast pair (annotator only): a correct sample against the same text "
                                         + "with the answer replaced by a near miss of the same shape (a count off by one, two letters swapped)")
        /// Annotator knobs.
        let annotator = Param.object("annotator", fields: AnnotatorFields().specs, "the world annotator's knobs")
        /// Which wired judge labels the pairs.
        let judge = Param.text("judge", default: nil, derived: "the only wired judge, else the world's annotator",
                               "which wired judge labels the pairs when several are: world, reward_model, command or labels")
        /// The command judge.
        let judges = JudgeInputs.Declarations()
    }

    /// The keys of the `annotator` object, with `AnnotatorConfig`'s defaults.
    struct AnnotatorFields: ParamDeclarations {
        /// Annotator seed.
        let seed = Param.integer("seed", default: Int(AnnotatorConfig().seed), in: 0...Int(Int64.max), "seed of the annotator's own random stream")
        /// Noise temperature.
        let temperature = Param.number("temperature", default: AnnotatorConfig().temperature, in: 0...1e6,
                                       "noise temperature T in P(A) = σ((u_A − u_B) / T); 0: always the higher utility")
        /// Length bias.
        let lengthBias = Param.number("length_bias", default: AnnotatorConfig().lengthBias, in: -1e6...1e6, "utility added per response character")
        /// Label flips.
        let labelFlipRate = Param.number("label_flip_rate", default: AnnotatorConfig().labelFlipRate, in: 0...1,
                                         "probability that a label is flipped afterwards")
    }

    /// The declarations.
    static let declared = Declarations()
    /// Sampling, pairing and annotator settings.
    var params: [ParamSpec] { Self.declared.specs }
    /// Either `data` or both `policy` and `prompts`.
    var rules: [ParamRule] {
        [.stage("inputs: either data, or policy and prompts") { _, roles in try Self.checkInputs(roles, node: "") },
         .stage("annotator: a valid annotator config") { params, _ in _ = try Self.annotatorConfig(params) }]
    }
    /// Either `data` (a preference file) or `policy` and `prompts`.
    let inputs: [InputSpec]? = [InputSpec("data", required: false, format: "preferences JSONL (instead of policy and prompts)"),
                                InputSpec("prompts", required: false, format: "prompts JSONL")]
        + ModelFiles.inputs("policy", format: "causal LM checkpoint directory (sampled)", required: false)
        + ModelFiles.inputs("judge_reward_model", format: "reward model checkpoint directory (a judge)", required: false)
        + JudgeInputs.inputs
    /// `data`: `pref_train.jsonl`.
    let outputs: [String]? = ["data"]
    /// Sampling uses the pipeline seed.
    var usesRandomness: Bool { true }

    /// Builds or validates the preference set.
    func run(_ context: StageContext) throws {
        let output = context.outputs["data"]!
        let params = try checkedParams(context)
        if let file = context.inputs["data"] {
            try JSONFiles.writeRecords(try JSONFiles.preferences(context, role: "data"), to: output)
            return
        }
        let declared = Self.declared
        let settings = try declared.generation.settings(params)
        let k = try params.value(declared.k)
        let temperatures = try params.value(declared.temperatures)
        let mode = try params.value(declared.pairs)
        var pairing = PreferencePairing(annotator: try Annotator(config: Self.annotatorConfig(params)), mode: mode,
                                        skipTies: try params.value(declared.skipTies),
                                        tieThreshold: try params.value(declared.tieThreshold),
                                        coin: SplitMix64(seed: context.seed, stream: "preference-order"))
        pairing.contrast = try params.value(declared.contrastPairs)
        pairing.contrastStream = SplitMix64(seed: context.seed, stream: "preference-contrast")
        var judge = try Self.judge(context, params: params)
        if judge != nil, mode != .allPairs {
            throw params.error("pairs", "is \"\(mode.rawValue)\", but a judge other than the annotator labels all pairs; use \"all_pairs\"")
        }
        if judge != nil, pairing.contrast > 0 {
            throw params.error("contrast_pairs", "is \(pairing.contrast), but a wired judge labels the pairs; contrast pairs need the world's annotator (set 0)")
        }
        let prompts = settings.take(try JSONFiles.prompts(context, role: "prompts"))
        let (model, renderer) = try ModelFiles.loadChat(context, role: "policy")
        let sampler = PolicySampler(model: model, renderer: renderer, batchSize: settings.batchSize)
        let candidates = try CandidateSampler(sampler: sampler, k: k, temperatures: temperatures, maxNewTokens: settings.maxNewTokens)
            .sample(prompts, seed: context.seed, context: context)
        var records: [PreferenceRecord] = []
        if judge != nil {
            records = try Self.judgedPairs(prompts: prompts, candidates: candidates, judge: &judge!)
            if let command = judge as? CommandJudge, let bias = command.positionBias {
                context.metrics.record("judge/command/position_bias", step: 0, value: bias)
            }
        } else {
            for (index, prompt) in prompts.enumerated() {
                records += try pairing.pairs(prompt: prompt.prompt, candidates: candidates[index]).map { pair in
                    var pair = pair
                    pair.context = prompt.context
                    return pair
                }
            }
        }
        guard !records.isEmpty else {
            throw StagesError.trainingFailed(node: context.node, message: "no preference pairs: every prompt's completions were equal; raise k or the temperatures")
        }
        context.metrics.record("preference_pairs", step: 0, value: Double(records.count))
        context.progress.message("\(records.count) pairs from \(prompts.count) prompts")
        try JSONFiles.writeRecords(records, to: output)
    }

    /// Either `data`, or both `policy` and `prompts`.
    static func checkInputs(_ roles: Set<String>, node: String) throws {
        if roles.contains("data") {
            guard !roles.contains("policy"), !roles.contains("prompts") else {
                throw StagesError.invalidInputs(node: node, message: "give either 'data' (a preference file) or 'policy' and 'prompts', not both")
            }
        } else if !roles.contains("policy") || !roles.contains("prompts") {
            throw StagesError.invalidInputs(node: node, message: "needs inputs 'policy' and 'prompts' (or 'data', a preference file)")
        }
    }

    /// The annotator config of the `annotator` param.
    static func annotatorConfig(_ params: Params) throws -> AnnotatorConfig {
        do {
            let object = JSONValue.object(try params.value(declared.annotator))
            return try JSONDecoder().decode(AnnotatorConfig.self, from: Data(object.canonical.utf8))
        } catch let WorldError.invalidConfig(field, message) {
            throw params.error(declared.annotator, field: field, message)
        }
    }
}

extension PreferencesKind {
    /// The judge labelling sampled pairs: the one wired (or the one `params.judge` names), nil for the annotator.
    static func judge(_ context: StageContext, params: Params) throws -> (any PairJudge)? {
        var wired: [String: any PairJudge] = [:]
        if let world = JudgeInputs.world(context) { wired["world"] = world }
        if let command = try JudgeInputs.command(context) { wired["command"] = command }
        if let labels = try JudgeInputs.labels(context) { wired["labels"] = labels }
        if context.inputs["judge_reward_model"] != nil {
            let (model, renderer) = try ModelFiles.loadChat(context, role: "judge_reward_model")
            guard model.config.hasScalarHead else {
                throw StagesError.badInput(path: try ModelFiles.directory(context, role: "judge_reward_model").path,
                                           message: "has no scalar head; a reward-model judge must be a LlamaForSequenceClassification checkpoint")
            }
            wired["reward_model"] = RewardModelJudge(model: model, renderer: renderer)
        }
        guard let name = try params.optional(declared.judge) else {
            guard wired.count <= 1 else {
                throw params.error("judge", "is needed to choose among the wired judges \(wired.keys.sorted().joined(separator: ", "))")
            }
            return wired.values.first
        }
        guard let judge = wired[name] else {
            throw params.error("judge", "is \"\(name)\", which is not wired; wired: \(wired.isEmpty ? "none" : wired.keys.sorted().joined(separator: ", "))")
        }
        return judge
    }

    /// All pairs of each prompt's distinct, non-blank candidates, labelled by `judge`; ties and pairs the
    /// judge cannot judge are dropped. The judge's reason is kept on each line.
    static func judgedPairs(prompts: [PromptRecord], candidates: [[Completion]], judge: inout any PairJudge) throws -> [PreferenceRecord] {
        let pairs = prompts.indices.flatMap { JudgePair.all(prompt: prompts[$0], candidates: candidates[$0], idPrefix: "p\($0 + 1)") }
        let verdicts = try judge.judge(pairs)
        return zip(pairs, verdicts).compactMap { pair, verdict in
            guard let verdict, verdict.winner != .tie else { return nil }
            let (chosen, rejected) = verdict.winner == .a ? (pair.a.text, pair.b.text) : (pair.b.text, pair.a.text)
            var record = PreferenceRecord(prompt: pair.prompt, chosen: chosen, rejected: rejected, reason: verdict.reason, source: judge.name)
            record.context = pair.context
            return record
        }
    }
}

/// Samples k completions per prompt at temperatures used in turn.
///
/// All k completions of a prompt share one generation batch (`sampler.batchSize` prompts, so k times
/// as many rows), which prefills each prompt once.
struct CandidateSampler {
    /// The policy sampler.
    let sampler: PolicySampler
    /// Completions per prompt.
    let k: Int
    /// Temperatures; completion i uses `temperatures[i % count]`.
    let temperatures: [Double]
    /// Tokens generated at most.
    let maxNewTokens: Int

    /// k completions for each prompt, in prompt order.
    func sample(_ prompts: [PromptRecord], seed: UInt64, context: StageContext) throws -> [[Completion]] {
        var wide = sampler
        wide.batchSize = sampler.batchSize * k
        var result: [[Completion]] = []
        result.reserveCapacity(prompts.count)
        for start in stride(from: 0, to: prompts.count, by: sampler.batchSize) {
            if context.isCancelled { throw StagesError.cancelled(node: context.node) }
            let part = prompts[start..<min(start + sampler.batchSize, prompts.count)]
            let requests = part.flatMap { prompt in (0..<k).map { (prompt: prompt, temperature: temperatures[$0 % temperatures.count]) } }
            let completions = try wide.complete(requests, maxNewTokens: maxNewTokens, seed: seed &+ UInt64(start) &* 7919)
            result += stride(from: 0, to: completions.count, by: k).map { Array(completions[$0..<($0 + k)]) }
            context.progress.update(step: start + part.count, total: prompts.count)
        }
        return result
    }
}
