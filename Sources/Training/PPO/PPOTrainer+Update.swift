import Model

/// Averages of the update's statistics over every minibatch of every epoch.
struct PPOUpdateStatistics {
    /// Mean clipped policy loss.
    var policyLoss = 0.0
    /// Mean clipped value loss.
    var valueLoss = 0.0
    /// Mean approx-KL.
    var approxKL = 0.0
    /// Mean ratio-clip fraction.
    var clipFraction = 0.0
    /// Mean value-clip fraction.
    var valueClipFraction = 0.0
    /// Mean probability ratio.
    var meanRatio = 0.0
    /// Mean token entropy.
    var entropy = 0.0
}

extension PPOTrainer {
    /// Step 8: `ppoEpochs` passes over shuffled minibatches with the clipped policy and value losses.
    func optimise(_ r: Rollout) throws -> PPOUpdateStatistics {
        var shuffle = rng(iteration: iteration, stream: 3)
        var sums = PPOUpdateStatistics()
        var batches = 0
        for _ in 0..<config.ppoEpochs {
            var order = Array(0..<r.count)
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(shuffle.next() % UInt64(i + 1)))
            }
            var start = 0
            while start < order.count {
                let members = Array(order[start..<min(start + config.minibatchSize, order.count)])
                start += config.minibatchSize
                let policy = try updateActor(r, members)
                sums.policyLoss += policy.loss
                sums.approxKL += policy.approxKL
                sums.clipFraction += policy.clipFraction
                sums.meanRatio += policy.meanRatio
                sums.entropy += policy.entropy
                if let value = try updateCritic(r, members) {
                    sums.valueLoss += value.loss
                    sums.valueClipFraction += value.clipFraction
                }
                batches += 1
            }
        }
        // The next iteration samples first: its KV cache need not sit beside this update's saved activations.
        actor.releaseActivations()
        critic?.releaseActivations()
        let n = Double(max(batches, 1))
        return PPOUpdateStatistics(policyLoss: sums.policyLoss / n, valueLoss: sums.valueLoss / n, approxKL: sums.approxKL / n,
                                   clipFraction: sums.clipFraction / n, valueClipFraction: sums.valueClipFraction / n,
                                   meanRatio: sums.meanRatio / n, entropy: sums.entropy / n)
    }

    /// One actor step on the sequences `members`; returns the policy loss and the mean entropy.
    private func updateActor(_ r: Rollout, _ members: [Int]) throws -> (loss: Double, approxKL: Double, clipFraction: Double,
                                                                        meanRatio: Double, entropy: Double) {
        let sb = try SequenceBatch(prompts: members.map { r.prompts[$0] }, responses: members.map { r.responses[$0].tokens },
                                   padToken: actor.config.padTokenId)
        let oldLogProbs = members.flatMap { r.oldLogProbs[$0] }, advantages = members.flatMap { r.advantages[$0] }
        let result: (PolicyLoss, EntropyBonus)
        switch config.scoringPath {
        case .chunkedHead: result = try fusedPolicyStep(sb, oldLogProbs: oldLogProbs, advantages: advantages)
        case .fullLogits: result = try fullLogitsPolicyStep(sb, oldLogProbs: oldLogProbs, advantages: advantages)
        }
        try actorOptimizer.update(actor, learningRate: Float(config.learningRate))
        let (policy, bonus) = result
        return (policy.loss, policy.approxKL, policy.clipFraction, policy.meanRatio, bonus.meanEntropy)
    }

    /// Forward, clipped surrogate and entropy bonus, and backward with the LM head fused a chunk of response rows at a
    /// time (`accumulateTokenObjective`); returns the loss and bonus over the whole minibatch.
    private func fusedPolicyStep(_ sb: SequenceBatch, oldLogProbs: [Double], advantages: [Double]) throws -> (PolicyLoss, EntropyBonus) {
        let n = oldLogProbs.count
        var logProbs = [Double](repeating: 0, count: n), entropies = logProbs
        let coefficient = config.entropyCoefficient, clipRange = config.clipRange
        try actor.accumulateTokenObjective(sb.batch, rows: Array(sb.positions.joined()), tokens: sb.flatTokens,
                                           temperature: Float(config.temperature > 0 ? config.temperature : 1)) { range, lp, h in
            for (i, index) in range.enumerated() {
                logProbs[index] = Double(lp[i])
                entropies[index] = Double(h[i])
            }
            // Each token's gradient depends on that token alone; the minibatch mean scales it by 1/n, not 1/chunk.
            let chunkPolicy = PolicyLoss(logProbs: Array(logProbs[range]), oldLogProbs: Array(oldLogProbs[range]),
                                         advantages: Array(advantages[range]), clipRange: clipRange)
            let share = Double(range.count) / Double(n)
            let dLogProbs = chunkPolicy.gradient.map { Float($0 * share) }
            let dEntropies = coefficient > 0 ? [Float](repeating: Float(-coefficient / Double(n)), count: range.count) : nil
            return TokenObjectiveGradient(dLogProbs: dLogProbs, dEntropies: dEntropies)
        }
        return (PolicyLoss(logProbs: logProbs, oldLogProbs: oldLogProbs, advantages: advantages, clipRange: clipRange),
                EntropyBonus(entropies: entropies, coefficient: coefficient))
    }

    /// The same step through the whole (B,T,V) logits of `forward` (the path before issue 19, for `rlhf bench ppo`).
    private func fullLogitsPolicyStep(_ sb: SequenceBatch, oldLogProbs: [Double], advantages: [Double]) throws
        -> (PolicyLoss, EntropyBonus) {
        let out = try actor.forward(sb.batch)
        let V = out.vocabSize
        let rows = sb.gatherRows(logits: out.logits, vocabSize: V)
        let tokens = sb.flatTokens
        let logProbs = try TemperedLogits.logProbs(rows: rows, tokens: tokens, vocabSize: V, temperature: config.temperature)
        let entropies = TemperedLogits.entropies(rows: rows, vocabSize: V, temperature: config.temperature)
        let policy = PolicyLoss(logProbs: logProbs, oldLogProbs: oldLogProbs, advantages: advantages, clipRange: config.clipRange)
        let bonus = EntropyBonus(entropies: entropies, coefficient: config.entropyCoefficient)
        let dRows = try TemperedLogits.backward(rows: rows, tokens: tokens, dLogProbs: policy.gradient,
                                                dEntropy: config.entropyCoefficient > 0 ? bonus.gradient : nil,
                                                vocabSize: V, temperature: config.temperature)
        try actor.backward(dLogits: sb.scatterRows(dRows, vocabSize: V))
        return (policy, bonus)
    }

    /// One critic step on the sequences `members` (nil without a critic).
    private func updateCritic(_ r: Rollout, _ members: [Int]) throws -> ValueLoss? {
        guard let criticState else { return nil }
        let oldValues = members.flatMap { r.values[$0] }, returns = members.flatMap { r.returns[$0] }
        let lossOf = { (values: [Double]) in
            ValueLoss(values: values, oldValues: oldValues, returns: returns, clipRange: self.config.clipRangeValue,
                      coefficient: self.config.valueCoefficient)
        }
        let learningRate = Float(config.criticLearningRate)
        switch criticState {
        case .model(let critic, let optimizer):
            let sb = try SequenceBatch(prompts: members.map { r.prompts[$0] }, responses: members.map { r.responses[$0].tokens },
                                       padToken: critic.config.padTokenId)
            let loss = lossOf(sb.gatherValues(try critic.forward(sb.batch).values))
            try critic.backward(dValues: sb.scatterValues(loss.gradient))
            try optimizer.update(critic, learningRate: learningRate)
            return loss
        case .frozenTrunk(let head):
            let features = members.flatMap { r.criticFeatures[$0] }
            let loss = lossOf(head.values(features))
            head.backward(dValues: loss.gradient, hidden: features)
            try head.update(learningRate: learningRate)
            return loss
        case .adapter(let lora, let head, let optimizer):
            return try withActorAdapter(lora) {
                let sb = try SequenceBatch(prompts: members.map { r.prompts[$0] }, responses: members.map { r.responses[$0].tokens },
                                           padToken: actor.config.padTokenId)
                let rows = Array(sb.positions.joined())
                let features = try actor.finalHiddenStates(sb.batch, rows: rows)
                let loss = lossOf(head.values(features))
                try actor.backward(dHidden: head.backward(dValues: loss.gradient, hidden: features), rows: rows)
                try optimizer.update(actor, learningRate: learningRate)
                try head.update(learningRate: learningRate)
                return loss
            }
        }
    }
}
