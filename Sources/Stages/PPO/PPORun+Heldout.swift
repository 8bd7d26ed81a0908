import EngineCore
import Model
import TextSimilarity
import Training
import World

extension PPORun {
    /// The held-out prompts of the `heldout_prompts` input (nil without it), rendered as the training prompts are.
    /// - Throws: the reader's error naming every bad line; `StagesError.malformed` naming the first held-out line whose
    ///   prompt is also a training prompt (normalised text), since it would not be held out.
    func loadHeldout(training: [PromptRecord], renderer: ChatRenderer, params: Params) throws -> PPOHeldoutSet? {
        guard let url = context.inputs[PPOKind.heldoutRole] else { return nil }
        let file = context.displayPath(url)
        let numbered = try RecordReader().numbered(.prompts, from: url, file: file).compactMap { entry -> (line: Int, prompt: PromptRecord)? in
            if case .prompt(let prompt) = entry.record { return (entry.line, prompt) }
            return nil
        }
        let trained = Set(training.map { TextNormalization.key($0.prompt) })
        let shared = numbered.filter { trained.contains(TextNormalization.key($0.prompt.prompt)) }
        if let first = shared.first {
            throw StagesError.malformed(file: file, line: first.line, message: "this prompt is also in the 'prompts' input (\(shared.count) of the "
                + "\(numbered.count) held-out prompts are), so it is not held out; remove them or draw the set with synth.ppo_heldout_prompts")
        }
        let prompts = numbered.map(\.prompt)
        return try PPOHeldoutSet(prompts: prompts, encodedPrompts: try prompts.map { try renderer.prefix($0.chat) },
                                 count: try params.value(PPOParams.declared.heldoutCount),
                                 every: try params.value(PPOParams.declared.heldoutEvery), seed: context.seed)
    }
}
