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
    /// Sampling, pairing and annotator settings.
    let params: [ParamSpec] = GenerationSettings.specs + [
        ParamSpec("k", .integer, summary: "completions sampled per prompt"),
        ParamSpec("temperatures", .array, summary: "sampling temperatures, used in turn"),
        ParamSpec("pairs", .string, summary: "all_pairs or best_vs_rest"),
        ParamSpec("skip_ties", .bool, summary: "drop pairs the annotator rates about the same"),
        ParamSpec("tie_threshold", .number, summary: "largest utility difference rated about the same (default 0: exact ties)"),
        ParamSpec("annotator", .object, summary: "seed, temperature, length_bias, label_flip_rate"),
    ]
    /// Either `data` (a preference file) or `policy` and `prompts`.
    let inputs: [InputSpec]? = [InputSpec("data", required: false), InputSpec("policy", required: false),
                                InputSpec("prompts", required: false)]
    /// `data`: `pref_train.jsonl`.
    let outputs: [String]? = ["data"]
    /// Sampling uses the pipeline seed.
    var usesRandomness: Bool { true }

    /// Builds or validates the preference set.
    func run(_ context: StageContext) throws {
        let output = context.outputs["data"]!
        if let file = context.inputs["data"] {
            guard context.inputs["policy"] == nil, context.inputs["prompts"] == nil else {
                throw StagesError.invalidInputs(node: context.node, message: "give either 'data' (a preference file) or 'policy' and 'prompts', not both")
            }
            try JSONFiles.writeRecords(try JSONFiles.preferences(context, role: "data"), to: output)
            return
        }
        guard context.inputs["policy"] != nil, let promptsURL = context.inputs["prompts"] else {
            throw StagesError.invalidInputs(node: context.node, message: "needs inputs 'policy' and 'prompts' (or 'data', a preference file)")
        }
        let params = Params(context)
        let settings = try GenerationSettings(params, promptCount: 0)
        let k = try params.int("k", default: 4, in: 2...64)
        let temperatures = try params.doubles("temperatures", default: [0.7, 1.0, 1.3], in: 0...10)
        let mode = PairMode(rawValue: try params.choice("pairs", default: PairMode.allPairs.rawValue,
                                                        among: PairMode.allCases.map(\.rawValue)))!
        let annotatorConfig: AnnotatorConfig
        do {
            annotatorConfig = try JSONDecoder().decode(AnnotatorConfig.self, from: Data(params.objectJSON("annotator").utf8))
        } catch let WorldError.invalidConfig(field, message) {
            throw params.error("annotator.\(field)", message)
        }
        var pairing = PreferencePairing(annotator: try Annotator(config: annotatorConfig), mode: mode,
                                        skipTies: try params.bool("skip_ties", default: true),
                                        tieThreshold: try params.double("tie_threshold", default: 0, in: 0...10),
                                        coin: SplitMix64(seed: context.seed, stream: "preference-order"))
        let prompts = settings.take(try JSONFiles.prompts(context, role: "prompts")).map(\.prompt)
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
