import TextSimilarity

extension World {
    /// The eval prompts (`eval_count` of them), all from the eval region, ids "eval-0001"...
    /// - Throws: `WorldError.parameterSpaceExhausted` when the eval region is too small.
    public func evalPrompts() throws -> [PromptRecord] {
        try tasks(count: config.evalCount, stream: "eval", region: .eval).enumerated().map {
            promptRecord($0.element, id: World.id("eval", $0.offset))
        }
    }

    /// The PPO prompts (`ppo_prompt_count`), training region, with any leaks targeting `ppo`.
    public func ppoPrompts() throws -> [PromptRecord] {
        try trainingPrompts(count: config.ppoPromptCount, stream: "ppo", idPrefix: "ppo", target: .ppo)
    }

    /// Held-out prompts for PPO (`count`, ids "heldout-0001"...): the PPO prompts' distribution (training region, same
    /// family mix) but none of their prompts, from a stream of their own, so PPO can be checked on prompts it never
    /// trains on while the eval region stays for `evaluate` alone.
    /// - Throws: `WorldError.parameterSpaceExhausted` when the training region has too few other prompts.
    public func ppoHeldoutPrompts(count: Int) throws -> [PromptRecord] {
        let training = Set(try ppoPrompts().map { TextNormalization.key($0.prompt) })
        return try tasks(count: count, stream: "ppo_heldout", region: .training, excluding: training).enumerated().map {
            promptRecord($0.element, id: World.id("heldout", $0.offset))
        }
    }

    /// Prompts for the preference stage (`preference_prompt_count`), training region, with any
    /// leaks targeting `preference`.
    public func preferencePrompts() throws -> [PromptRecord] {
        try trainingPrompts(count: config.preferencePromptCount, stream: "preference", idPrefix: "pref",
                            target: .preference)
    }

    /// A training prompt set with the leaks of `target` written over their planned lines.
    private func trainingPrompts(count: Int, stream: String, idPrefix: String,
                                 target: LeakTarget) throws -> [PromptRecord] {
        var records = try tasks(count: count, stream: stream, region: .training).enumerated().map {
            promptRecord($0.element, id: World.id(idPrefix, $0.offset))
        }
        for leak in try leakPlan() where leak.target == target {
            let task = try WorldTask(parsing: leak.evalPrompt)
            records[leak.line - 1] = PromptRecord(prompt: leak.text, id: World.id(idPrefix, leak.line - 1),
                                                  scenario: task.scenario.rawValue, family: task.family.rawValue)
        }
        return records
    }
}
