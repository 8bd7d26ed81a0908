import EngineCore
import Foundation
import Model
import Training
import World

/// `preferences`: the preference set, from a file or by sampling the policy and asking the annotator.
///
/// With input `data` it validates a preference JSONL file (bad lines fail with file, line and field)
/// and passes it through. Otherwise it samples `k` completions per prompt of `prompts` from `policy`
/// (the SFT model) at the `temperatures` in turn, ranks them with the World annotator (params under
/// `annotator`: seed, temperature, length_bias, label_flip_rate) and emits pairs per `pairs`
/// (`all_pairs` or `best_vs_rest`) in random A/B order, with the annotator's reason on each line.
struct PreferencesKind: StageKind {
    /// `preferences`.
    let name = "preferences"
    /// Version 4: a prompt's k completions share one generation batch (blank candidates are dropped before pairing).
    let version = 4
    /// Builds or checks the preference set.
    let summary = "the preference set: a preferences file checked, or pairs sampled from the policy and labelled by the world's annotator"

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
        /// Annotator knobs.
        let annotator = Param.object("annotator", fields: AnnotatorFields().specs, "the world annotator's knobs")
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
                                InputSpec("policy", required: false, format: "causal LM checkpoint directory (sampled)"),
                                InputSpec("prompts", required: false, format: "prompts JSONL")]
    /// `data`: `pref_train.jsonl`.
    let outputs: [String]? = ["data"]
    /// Sampling uses the pipeline seed.
    var usesRandomness: Bool { true }

    /// Builds or validates the preference set.
    func run(_ context: StageContext) throws {
        let output = context.outputs["data"]!
        let params = try checkedParams(context)
        if let file = context.inputs["data"] {
            try JSONFiles.writeRecords(try JSONFiles.readRecords(PreferenceRecord.self, from: file), to: output)
            return
        }
        let promptsURL = context.inputs["prompts"]!
        let declared = Self.declared
        let settings = try declared.generation.settings(params)
        let k = try params.value(declared.k)
        let temperatures = try params.value(declared.temperatures)
        var pairing = PreferencePairing(annotator: try Annotator(config: Self.annotatorConfig(params)), mode: try params.value(declared.pairs),
                                        skipTies: try params.value(declared.skipTies),
                                        tieThreshold: try params.value(declared.tieThreshold),
                                        coin: SplitMix64(seed: context.seed, stream: "preference-order"))
        let prompts = settings.take(try JSONFiles.readRecords(PromptRecord.self, from: promptsURL)).map(\.prompt)
        let (model, tokenizer) = try ModelFiles.load(context, role: "policy")
        let sampler = PolicySampler(model: model, tokenizer: tokenizer, batchSize: settings.batchSize)
        let candidates = try CandidateSampler(sampler: sampler, k: k, temperatures: temperatures, maxNewTokens: settings.maxNewTokens)
            .sample(prompts, seed: context.seed, context: context)
        var records: [PreferenceRecord] = []
        for (index, prompt) in prompts.enumerated() {
            records += try pairing.pairs(prompt: prompt, candidates: candidates[index])
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
            throw params.error("annotator.\(field)", message)
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
    func sample(_ prompts: [String], seed: UInt64, context: StageContext) throws -> [[Completion]] {
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
