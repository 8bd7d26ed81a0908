extension World {
    /// The SFT demonstrations (`sft_count`): training-region prompts with imperfect responses
    /// (`sft_error_rate`, `sft_style_noise_rate`, `sft_over_refusal_rate`), plus any leaks
    /// targeting `sft` (their responses are the clean gold answer).
    public func sftDemonstrations() throws -> [SFTRecord] {
        let tasks = try tasks(count: config.sftCount, stream: "sft", region: .training)
        var rng = stream("sft-responses")
        var records = tasks.map { task in
            SFTRecord(prompt: task.prompt, response: ResponseSynth.demonstration(
                task, errorRate: config.sftErrorRate, styleRate: config.sftStyleNoiseRate,
                overRefusalRate: config.sftOverRefusalRate, &rng))
        }
        for leak in try leakPlan() where leak.target == .sft {
            records[leak.line - 1] = SFTRecord(prompt: leak.text, response: try WorldTask(parsing: leak.evalPrompt).goldAnswer)
        }
        return records
    }

    /// `count` candidate responses of mixed quality for `prompt` (gold, styled, wrong, rambling,
    /// refusal, compliance), deterministic in the world seed, `salt` and the prompt.
    /// - Throws: `WorldError.unparseablePrompt` for prompts outside the world.
    public func candidateResponses(for prompt: String, count: Int, salt: UInt64 = 0) throws -> [String] {
        let task = try WorldTask(parsing: prompt)
        var rng = SplitMix64(seed: config.seed ^ StableHash.mix(salt), stream: "candidates|" + prompt)
        return (0..<count).map { _ in ResponseSynth.candidate(task, &rng) }
    }
}
