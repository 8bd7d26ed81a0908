import EngineCore
import Foundation
import World

/// Which data set a `synth.*` generator writes from the world.
enum SynthSet: String, CaseIterable {
    /// The plain-text pretraining corpus (`corpus.txt`).
    case corpus
    /// SFT demonstrations (`sft_train.jsonl`).
    case sft
    /// Prompts for the preference stage.
    case preferencePrompts = "preference_prompts"
    /// PPO prompts (`prompts_ppo.jsonl`).
    case ppoPrompts = "ppo_prompts"
    /// Eval prompts (`eval_prompts.jsonl`), disjoint from every training set except deliberate leaks.
    case evalPrompts = "eval_prompts"
    /// The manifest of deliberate eval leaks (for checking the leak gate).
    case leaks
}

/// `synth.<set>`: one deterministic generator of the synthetic world, reading `world.json`.
///
/// All draw from named streams of the world seed, so a set's bytes change only when a knob it
/// reads changes. Output `data`: JSONL in the DESIGN.md formats (text lines for the corpus).
struct SynthKind: StageKind {
    /// The set this kind writes.
    let set: SynthSet
    /// `synth.corpus`, `synth.sft`, ...
    var name: String { "synth." + set.rawValue }
    /// Version 1.
    let version = 1
    /// One line for `rlhf kinds`.
    var summary: String { "write the world's \(set.rawValue) set (deterministic in the world config)" }
    /// No params: the world config carries every knob.
    let params: [ParamSpec] = []
    /// `world`: a synth.world output.
    let inputs: [InputSpec]? = [InputSpec("world", format: "world.json (a synth.world node)")]
    /// `data`.
    let outputs: [String]? = ["data"]

    /// Generates the set.
    func run(_ context: StageContext) throws {
        let world = try WorldInput.load(context)
        let url = context.outputs["data"]!
        do {
            switch set {
            case .corpus: try Data(world.pretrainingCorpusText().utf8).write(to: url)
            case .sft: try JSONFiles.writeRecords(world.sftDemonstrations(), to: url)
            case .preferencePrompts: try JSONFiles.writeRecords(world.preferencePrompts(), to: url)
            case .ppoPrompts: try JSONFiles.writeRecords(world.ppoPrompts(), to: url)
            case .evalPrompts: try JSONFiles.writeRecords(world.evalPrompts(), to: url)
            case .leaks: try JSONFiles.writeRecords(world.leakPlan(), to: url)
            }
        } catch let error as WorldError {
            throw StagesError.invalidInputs(node: context.node, message: "world: \(error.description)")
        }
        context.progress.message("wrote \(set.rawValue)")
    }
}
