import EngineCore
import Foundation
import World

/// `synth.world`: validates the synthetic world's knobs and writes them as `world.json`, the one
/// config every `synth.*` generator reads, so all sets share a seed and stay disjoint from eval.
///
/// Params are the `WorldConfig` keys (`sft_error_rate`, `leak_fraction`, ...); `seed` defaults to
/// the pipeline seed. A knob change reruns every generator, but only the sets that read it change
/// bytes, so early cutoff keeps the rest of the pipeline up to date.
struct SynthWorldKind: StageKind {
    /// `synth.world`.
    let name = "synth.world"
    /// Version 1.
    let version = 1
    /// Writes the world config.
    let summary = "validate the synthetic world's knobs and write world.json, the config every synth.* generator reads"

    /// The `WorldConfig` keys, with `WorldConfig()`'s defaults.
    struct Declarations: ParamDeclarations {
        /// `WorldConfig()` as JSON, the source of every default.
        private static let defaults: [String: JSONValue] = {
            let data = (try? JSONEncoder().encode(WorldConfig())) ?? Data("{}".utf8)
            return (try? JSONValue.parse(Array(data), file: "WorldConfig()"))?.objectValue ?? [:]
        }()

        /// A `WorldConfig` key with its default.
        private static func knob(_ name: String, _ type: ParamType, range: ClosedRange<Double>? = nil, allowed: [String]? = nil,
                                 elements: ParamType? = nil, fields: [ParamSpec]? = nil, _ summary: String) -> Param<JSONValue> {
            .json(ParamSpec(name, type, default: defaults[name].map { .value($0) } ?? .none, range: range, allowed: allowed,
                            elements: elements, fields: fields, summary: summary))
        }

        /// World seed.
        let seed = Param.integer("seed", default: nil, derived: "the pipeline seed", in: 0...Int(Int64.max), "world seed")
        /// Family weights.
        let familyWeights = knob("family_weights", .object, fields: TaskFamily.helpful.map { ParamSpec($0.rawValue, .number, range: 0...1e9) },
                                 "relative weight per helpfulness family")
        /// Harmful share.
        let harmfulFraction = knob("harmful_fraction", .number, range: 0...1, "share of harmful requests in every set")
        /// Eval region.
        let evalRegionFraction = knob("eval_region_fraction", .number, range: 0...1,
                                      "share of each family's parameter space kept for eval (strictly between 0 and 1)")
        /// Corpus size.
        let corpusBytes = knob("corpus_bytes", .integer, range: 0...10_000_000, "pretraining corpus size in bytes")
        /// Corpus lines.
        let corpusLines = knob("corpus_lines", .integer, range: 0...10_000_000, "when positive, exact corpus lines (corpus_bytes ignored)")
        /// SFT count.
        let sftCount = knob("sft_count", .integer, range: 0...10_000_000, "number of SFT demonstrations")
        /// SFT errors.
        let sftErrorRate = knob("sft_error_rate", .number, range: 0...1, "share of wrong SFT demonstrations")
        /// SFT style noise.
        let sftStyleNoiseRate = knob("sft_style_noise_rate", .number, range: 0...1, "share of SFT answers wrapped in extra words")
        /// SFT over-refusal.
        let sftOverRefusalRate = knob("sft_over_refusal_rate", .number, range: 0...1, "share of benign SFT demonstrations that refuse")
        /// Preference prompts.
        let preferencePromptCount = knob("preference_prompt_count", .integer, range: 0...10_000_000, "prompts offered to the preference stage")
        /// PPO prompts.
        let ppoPromptCount = knob("ppo_prompt_count", .integer, range: 0...10_000_000, "number of PPO prompts")
        /// Eval prompts.
        let evalCount = knob("eval_count", .integer, range: 0...10_000_000, "number of eval prompts")
        /// Leak share.
        let leakFraction = knob("leak_fraction", .number, range: 0...1, "share of eval prompts deliberately leaked into training sets")
        /// Leak targets.
        let leakTargets = knob("leak_targets", .array, allowed: LeakTarget.allCases.map(\.rawValue), elements: .string,
                               "sets receiving leaks, in turn")
    }

    /// The declarations.
    static let declared = Declarations()
    /// The `WorldConfig` keys.
    var params: [ParamSpec] { Self.declared.specs }
    /// The knobs together must make a valid world config.
    var rules: [ParamRule] {
        [.stage("the knobs together make a valid WorldConfig") { params, _ in _ = try Self.config(params.values, seed: 0, node: params.node) }]
    }
    /// No inputs.
    let inputs: [InputSpec]? = []
    /// `world`: the validated config as JSON.
    let outputs: [String]? = ["world"]
    /// The pipeline seed is the default world seed.
    var usesRandomness: Bool { true }

    /// Decodes, validates and writes the config.
    func run(_ context: StageContext) throws {
        let params = try checkedParams(context)
        let config = try Self.config(params.values, seed: context.seed, node: context.node)
        _ = try World(config: config)
        try JSONFiles.write(config, to: context.outputs["world"]!)
        context.progress.message("wrote world.json: seed \(config.seed), \(config.familyWeights.count) task families, "
            + "\(config.corpusBytes) corpus bytes, \(config.sftCount) SFT demos, \(config.preferencePromptCount) preference prompts, "
            + "\(config.ppoPromptCount) PPO prompts, \(config.evalCount) eval prompts")
    }

    /// The world config of `values`; the seed defaults to `seed`.
    static func config(_ values: [String: JSONValue], seed: UInt64, node: String) throws -> WorldConfig {
        var values = values
        let seedName = declared.seed.spec.name
        if values[seedName] == nil { values[seedName] = .int(Int64(bitPattern: seed & 0x7FFF_FFFF_FFFF_FFFF)) }
        do {
            return try JSONDecoder().decode(WorldConfig.self, from: Data(JSONValue.object(values).canonical.utf8))
        } catch let WorldError.invalidConfig(field, message) {
            throw StagesError.invalidParam(node: node, param: field, message: message)
        } catch {
            throw StagesError.invalidParam(node: node, param: "(world)", message: "cannot be read as a world config: \(error)")
        }
    }
}

/// Loading the world a `synth.world` node wrote.
enum WorldInput {
    /// The world described by the `world` input of `context`.
    static func load(_ context: StageContext, role: String = "world") throws -> World {
        guard let url = context.inputs[role] else {
            throw StagesError.invalidInputs(node: context.node, message: "missing input '\(role)' (a synth.world node)")
        }
        return try World(config: JSONFiles.read(WorldConfig.self, from: url))
    }
}
