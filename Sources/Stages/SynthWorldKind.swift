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
    /// The `WorldConfig` keys.
    let params: [ParamSpec] = [
        ParamSpec("seed", .integer, summary: "world seed (default: the pipeline seed)"),
        ParamSpec("family_weights", .object, summary: "relative weight per helpfulness family"),
        ParamSpec("harmful_fraction", .number, summary: "share of harmful requests in every set"),
        ParamSpec("eval_region_fraction", .number, summary: "share of each family's parameter space kept for eval"),
        ParamSpec("corpus_bytes", .integer, summary: "pretraining corpus size in bytes"),
        ParamSpec("sft_count", .integer, summary: "number of SFT demonstrations"),
        ParamSpec("sft_error_rate", .number, summary: "share of wrong SFT demonstrations"),
        ParamSpec("sft_style_noise_rate", .number, summary: "share of SFT answers wrapped in extra words"),
        ParamSpec("sft_over_refusal_rate", .number, summary: "share of benign SFT demonstrations that refuse"),
        ParamSpec("preference_prompt_count", .integer, summary: "prompts offered to the preference stage"),
        ParamSpec("ppo_prompt_count", .integer, summary: "number of PPO prompts"),
        ParamSpec("eval_count", .integer, summary: "number of eval prompts"),
        ParamSpec("leak_fraction", .number, summary: "share of eval prompts deliberately leaked into training sets"),
        ParamSpec("leak_targets", .array, summary: "sets receiving leaks: sft, preference, ppo"),
    ]
    /// No inputs.
    let inputs: [InputSpec]? = []
    /// `world`: the validated config as JSON.
    let outputs: [String]? = ["world"]
    /// The pipeline seed is the default world seed.
    var usesRandomness: Bool { true }

    /// Decodes, validates and writes the config.
    func run(_ context: StageContext) throws {
        var values = context.params
        if values["seed"] == nil { values["seed"] = .int(Int64(bitPattern: context.seed & 0x7FFF_FFFF_FFFF_FFFF)) }
        let config: WorldConfig
        do {
            config = try JSONDecoder().decode(WorldConfig.self, from: Data(JSONValue.object(values).canonical.utf8))
        } catch let WorldError.invalidConfig(field, message) {
            throw StagesError.invalidParam(node: context.node, param: field, message: message)
        } catch {
            throw StagesError.invalidParam(node: context.node, param: "(world)", message: "cannot be read as a world config: \(error)")
        }
        _ = try World(config: config)
        try JSONFiles.write(config, to: context.outputs["world"]!)
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
