import EngineCore
import Foundation
import World

/// `synth.ppo_heldout_prompts`: held-out prompts for the `ppo` node's `heldout_prompts` input, from the world's
/// training region with the PPO prompts' family mix but disjoint from every PPO prompt (normalised text), drawn
/// from a stream of their own. The eval region stays for `synth.eval_prompts` and `evaluate` alone
/// (`gate.eval_leak`), so checking PPO on these never looks at the final evaluation's prompts.
struct SynthHeldoutPromptsKind: StageKind {
    /// `synth.ppo_heldout_prompts`.
    let name = "synth.ppo_heldout_prompts"
    /// Version 1.
    let version = 1
    /// One line for `rlhf kinds`.
    let summary = "write held-out prompts for ppo's heldout_prompts input: the PPO prompts' distribution, none of their prompts, not the eval region"
    /// `world`: a synth.world output.
    let inputs: [InputSpec]? = [InputSpec("world", format: "world.json (a synth.world node)")]
    /// `data`.
    let outputs: [String]? = ["data"]

    /// The params, each declared once.
    struct Declarations: ParamDeclarations {
        /// How many prompts.
        let count = Param.integer("count", default: 200, in: 1...1_000_000, "held-out prompts to write")
    }

    /// The declarations.
    static let declared = Declarations()
    /// Declared params.
    var params: [ParamSpec] { Self.declared.specs }

    /// Generates the set.
    func run(_ context: StageContext) throws {
        let count = try checkedParams(context).value(Self.declared.count)
        let world = try WorldInput.load(context)
        do {
            try JSONFiles.writeRecords(try world.ppoHeldoutPrompts(count: count), to: context.outputs["data"]!)
        } catch let error as WorldError {
            throw StagesError.invalidInputs(node: context.node, message: "world: \(error.description)")
        }
        context.progress.message("wrote \(count) held-out PPO prompts")
    }
}
