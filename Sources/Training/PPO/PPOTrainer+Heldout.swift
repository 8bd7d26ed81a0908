import Foundation
import Model

extension PPOTrainer {
    /// Samples the policy once on every held-out prompt (rollout temperature, length and precision; nothing trains)
    /// and scores the completions by the reward model, the gold judge and the reference, recording the result in
    /// `heldoutHistory` under the iterations completed so far. Its random draws come from a stream of their own, so
    /// the training rollouts and updates are the same with and without held-out evaluations.
    /// On a bf16 base each frozen matrix is packed once for the whole check, and one snapshot of the actor in the
    /// rollout precision serves its sampling and its scoring passes in that precision, as in a training iteration.
    /// - Throws: `ModelError` from sampling or scoring; nil `heldout` is a `ModelError.shapeMismatch` on 0 prompts.
    @discardableResult
    public func evaluateHeldout() throws -> PPOHeldoutMetrics {
        guard let heldout, heldout.count > 0 else {
            throw ModelError.shapeMismatch(what: "held-out prompts", expected: 1, got: 0)
        }
        return try actor.withPinnedBaseWeights {
            try actor.withPinnedInferenceWeights(in: config.rolloutPrecision) { try evaluate(heldout) }
        }
    }

    /// The body of `evaluateHeldout` on `heldout`, inside its pinned weights.
    private func evaluate(_ heldout: PPOHeldoutSet) throws -> PPOHeldoutMetrics {
        let start = Date()
        var sampler = rng(iteration: iteration, stream: 0x4845_4C44)
        let eos = actor.config.eosTokenId
        let batch = max(1, config.promptsPerIteration * config.samplesPerPrompt)
        var responses: [TruncatedResponse] = []
        var samplerLogProbs: [[Double]] = []
        actor.inferencePrecision = config.rolloutPrecision
        defer { actor.inferencePrecision = .fp32 }
        for first in stride(from: 0, to: heldout.count, by: batch) {
            let prompts = Array(heldout.encodedPrompts[first..<min(first + batch, heldout.count)])
            let generation = try actor.generate(prompts: prompts, options: samplingOptions, rng: &sampler)
            for (tokens, logProbs) in zip(generation.tokens, generation.logProbs) {
                let response = TruncatedResponse(tokens: tokens, eos: eos)
                responses.append(response)
                samplerLogProbs.append(logProbs.prefix(response.tokens.count).map(Double.init))
            }
        }
        actor.inferencePrecision = .fp32
        let tokens = responses.map(\.tokens)
        let rm = try inScoringPrecision(actor) { try rewardScores(heldout.encodedPrompts, tokens) }
        let gold = goldScores(prompts: heldout.promptTexts, responses: responses)
        let reference = try referenceLogProbs(heldout.encodedPrompts, tokens, hidden: false).logProbs
        let kl = zip(samplerLogProbs, reference).map {
            config.klEstimator.estimate(logProbs: $0, referenceLogProbs: $1).reduce(0, +)
        }
        let judged = gold.compactMap { $0 }
        var slices = PPOSliceScores.bySlice(prompts: heldout.promptTexts, rm: rm, gold: gold)
        if let baseline = heldout.baselineGold {
            for (name, std) in PPOSliceScores.changeStd(prompts: heldout.promptTexts, baseline: baseline, current: gold) {
                slices?[name]?.goldChangeStd = std
            }
        } else {
            self.heldout?.baselineGold = gold
        }
        let metrics = PPOHeldoutMetrics(
            iteration: iteration, promptCount: heldout.count, rmScoreMean: Statistics.mean(rm),
            goldScoreMean: judged.isEmpty ? nil : Statistics.mean(judged), klMean: Statistics.mean(kl),
            responseLengthMean: Statistics.mean(tokens.map { Double($0.count) }),
            eosFraction: Statistics.mean(responses.map { $0.hasEOS ? 1 : 0 }), seconds: Date().timeIntervalSince(start),
            slices: slices)
        heldoutHistory.removeAll { $0.iteration == iteration }
        heldoutHistory.append(metrics)
        return metrics
    }

    /// Whether a held-out evaluation is due now (after `iteration` of `total` iterations) and not yet recorded.
    public func heldoutIsDue(total: Int) -> Bool {
        guard let heldout, heldout.count > 0 else { return false }
        return heldout.isDue(after: iteration, of: total) && heldoutHistory.last?.iteration != iteration
    }
}
