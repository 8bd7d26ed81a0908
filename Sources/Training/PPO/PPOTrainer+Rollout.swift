import Foundation
import Model
import World

extension PPOTrainer {
    /// Picks this iteration's prompts and samples `samplesPerPrompt` completions of each with the KV cache.
    func sample() throws -> Rollout {
        var pick = rng(iteration: iteration, stream: 1)
        var pool = Array(prompts.indices)
        var chosen: [Int] = []
        for _ in 0..<config.promptsPerIteration {
            if pool.isEmpty { pool = Array(prompts.indices) }
            chosen.append(pool.remove(at: Int(pick.next() % UInt64(pool.count))))
        }
        let expanded = chosen.flatMap { Array(repeating: $0, count: config.samplesPerPrompt) }
        let encoded = expanded.map { encodedPrompts[$0] }
        var sampler = rng(iteration: iteration, stream: 2)
        actor.inferencePrecision = config.rolloutPrecision
        defer { actor.inferencePrecision = .fp32 }
        let generation = try actor.generate(prompts: encoded, options: samplingOptions, rng: &sampler)
        let eos = actor.config.eosTokenId
        var rollout = Rollout(prompts: encoded, promptTexts: expanded.map { prompts[$0].prompt },
                              groups: chosen.indices.flatMap { Array(repeating: $0, count: config.samplesPerPrompt) },
                              responses: generation.tokens.map { TruncatedResponse(tokens: $0, eos: eos) })
        if samplerLogProbsAreOldLogProbs {
            rollout.oldLogProbs = zip(generation.logProbs, rollout.responses).map { lp, response in
                lp.prefix(response.tokens.count).map(Double.init)
            }
        }
        return rollout
    }

    /// Whether the sampler's log-probs of the sampled tokens serve as the old log-probs PPO needs: asked for
    /// (`oldLogProbsFromRollout`), and the rollout ran in
    /// fp32 (the update's precision) from the whole tempered softmax (no top-k or top-p), so they equal
    /// `ModelScoring.logProbs` at the sampling temperature to float rounding and scoring needs no forward for them.
    /// A bf16 rollout's log-probs would not match the update's fp32 ones, so scoring then recomputes them in fp32.
    var samplerLogProbsAreOldLogProbs: Bool {
        let options = samplingOptions
        return config.oldLogProbsFromRollout && config.rolloutPrecision.effective == .fp32 && options.topK == 0
            && options.topP >= 1
    }

    /// Tokens per second of sampling the same prompts without the KV cache (same seed, same tokens).
    func noCacheTokensPerSecond(_ rollout: Rollout) throws -> Double {
        var options = samplingOptions
        options.useKVCache = false
        var sampler = rng(iteration: iteration, stream: 2)
        let start = Date()
        let generation = try actor.generate(prompts: rollout.prompts, options: options, rng: &sampler)
        let seconds = Date().timeIntervalSince(start)
        return Double(generation.tokens.reduce(0) { $0 + $1.count }) / max(seconds, 1e-9)
    }

    /// Fills scores, gold, KL, values, advantages and returns (steps 2–7 of an iteration), and the old log-probs
    /// when the rollout did not record them (`samplerLogProbsAreOldLogProbs`).
    func score(_ r: inout Rollout) throws {
        let responses = r.responseTokens
        let chunk = config.scoringChunk
        r.rmScores = try inScoringPrecision(actor) { try rewardScores(r.prompts, responses) }
        switch config.reward {
        case .rm, .groupBaseline:
            r.scores = zip(r.responses, r.rmScores).map { $0.penalised(score: $1, missingEOSPenalty: config.missingEOSPenalty) }
        case .winFraction:
            var wins = [Double](repeating: 0, count: r.count)
            for members in groupMembers(r.groups) {
                for (i, w) in zip(members, GroupRewards.winFractions(scores: members.map { r.rmScores[$0] })) { wins[i] = w }
            }
            r.scores = zip(r.responses, wins).map { $0.penalised(score: $1, missingEOSPenalty: config.missingEOSPenalty) }
        }
        r.gold = goldScores(prompts: r.promptTexts, responses: r.responses)
        if r.oldLogProbs.isEmpty {
            r.oldLogProbs = try ModelScoring.logProbs(actor, prompts: r.prompts, responses: responses,
                                                      temperature: config.temperature, chunk: chunk, path: config.scoringPath)
        }
        var frozenTrunk = false
        if case .frozenTrunk = criticState { frozenTrunk = true }
        let referencePass = try referenceLogProbs(r.prompts, responses, hidden: frozenTrunk)
        r.kl = zip(r.oldLogProbs, referencePass.logProbs).map {
            config.klEstimator.estimate(logProbs: $0, referenceLogProbs: $1)
        }
        switch criticState {
        case .model(let critic, _)?:
            r.values = try ModelScoring.values(critic, prompts: r.prompts, responses: responses, chunk: chunk)
        case .frozenTrunk(let head)?:
            r.criticFeatures = referencePass.hidden
            r.values = referencePass.hidden.map(head.values)
        case .adapter(let lora, let head, _)?:
            r.values = try withActorAdapter(lora) {
                try ModelScoring.hiddenStates(actor, prompts: r.prompts, responses: responses, chunk: chunk).map(head.values)
            }
        case nil: break
        }
        let rewards = zip(r.kl, r.scores).map { RewardAssembly.rewards(kl: $0, score: $1, beta: controller.beta) }
        if criticState != nil {
            var advantages: [[Double]] = []
            for (reward, value) in zip(rewards, r.values) {
                let gae = GAE.compute(rewards: reward, values: value, gamma: config.gamma, lambda: config.lambda)
                advantages.append(gae.advantages)
                r.returns.append(gae.returns)
            }
            if config.whitenAdvantages {
                let flat = Whitening.whiten(advantages.flatMap { $0 })
                var start = 0
                advantages = advantages.map { a in
                    defer { start += a.count }
                    return Array(flat[start..<(start + a.count)])
                }
            }
            r.advantages = advantages
        } else {
            let totals = rewards.map { $0.reduce(0, +) }
            var sequenceAdvantage = [Double](repeating: 0, count: r.count)
            for members in groupMembers(r.groups) {
                let advantages = GroupRewards.baselineAdvantages(rewards: members.map { totals[$0] }, normalise: config.groupNormalise)
                for (i, a) in zip(members, advantages) { sequenceAdvantage[i] = a }
            }
            r.advantages = zip(responses, sequenceAdvantage).map { [Double](repeating: $1, count: $0.count) }
        }
    }

    /// The gold score of each response whose prompt is a world task (nil otherwise, and every one nil without a world judge).
    func goldScores(prompts: [String], responses: [TruncatedResponse]) -> [Double?] {
        zip(prompts, responses).map { prompt, response in
            guard config.goldJudge, let task = try? WorldTask(parsing: prompt) else { return nil }
            return GoldJudge.score(task: task, response: tokenizer.decode(response.textTokens), reachedEOS: response.hasEOS).value
        }
    }

    /// The reward model's score of each sequence (a LoRA reward model runs on the actor's base with its adapter).
    func rewardScores(_ prompts: [[Int32]], _ responses: [[Int32]]) throws -> [Double] {
        switch rewardModel {
        case .model(let model):
            return try ModelScoring.scores(model, prompts: prompts, responses: responses, chunk: config.scoringChunk)
        case .adapter(let lora, let head):
            return try withActorAdapter(lora) {
                try ModelScoring.scores(actor, scoreHead: head, prompts: prompts, responses: responses, chunk: config.scoringChunk)
            }
        }
    }

    /// The reference's log-probs of each response token and, with `hidden`, its final hidden states there (the
    /// features of a value head on the frozen trunk).
    func referenceLogProbs(_ prompts: [[Int32]], _ responses: [[Int32]], hidden: Bool) throws
        -> (logProbs: [[Double]], hidden: [[Float]]) {
        let score = { (model: LlamaModel) in
            try self.inScoringPrecision(model) {
                try ModelScoring.logProbsAndHidden(model, prompts: prompts, responses: responses, temperature: self.config.temperature,
                                                   chunk: self.config.scoringChunk, hidden: hidden, path: self.config.scoringPath)
            }
        }
        switch reference {
        case .model(let model): return try score(model)
        case .adapterOff: return try withActorAdapter(nil) { try score(actor) }
        }
    }

    /// Runs `body` with `model` inferring in `scoringPrecision` (in bf16 from one weight snapshot for the whole pass),
    /// then puts it back to fp32 (its training precision).
    func inScoringPrecision<T>(_ model: LlamaModel, _ body: () throws -> T) throws -> T {
        model.inferencePrecision = config.scoringPrecision
        defer { model.inferencePrecision = .fp32 }
        return try model.withPinnedInferenceWeights(body)
    }

    /// Sequence indices of each group, in group order.
    private func groupMembers(_ groups: [Int]) -> [[Int]] {
        var members: [Int: [Int]] = [:]
        for (i, g) in groups.enumerated() { members[g, default: []].append(i) }
        return members.keys.sorted().map { members[$0]! }
    }
}
