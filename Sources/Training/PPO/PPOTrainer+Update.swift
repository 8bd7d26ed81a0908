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
                if let critic, let criticOptimizer {
                    let value = try update(critic, criticOptimizer, r, members)
                    sums.valueLoss += value.loss
                    sums.valueClipFraction += value.clipFraction
                }
                batches += 1
            }
        }
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
        let out = try actor.forward(sb.batch)
        let V = out.vocabSize
        let rows = sb.gatherRows(logits: out.logits, vocabSize: V)
        let tokens = sb.flatTokens
        let logProbs = try TemperedLogits.logProbs(rows: rows, tokens: tokens, vocabSize: V, temperature: config.temperature)
        let entropies = TemperedLogits.entropies(rows: rows, vocabSize: V, temperature: config.temperature)
        let policy = PolicyLoss(logProbs: logProbs, oldLogProbs: members.flatMap { r.oldLogProbs[$0] },
                                advantages: members.flatMap { r.advantages[$0] }, clipRange: config.clipRange)
        let bonus = EntropyBonus(entropies: entropies, coefficient: config.entropyCoefficient)
        let dRows = try TemperedLogits.backward(rows: rows, tokens: tokens, dLogProbs: policy.gradient,
                                                dEntropy: config.entropyCoefficient > 0 ? bonus.gradient : nil,
                                                vocabSize: V, temperature: config.temperature)
        try actor.backward(dLogits: sb.scatterRows(dRows, vocabSize: V))
        try actorOptimizer.update(actor, learningRate: Float(config.learningRate))
        return (policy.loss, policy.approxKL, policy.clipFraction, policy.meanRatio, bonus.meanEntropy)
    }

    /// One critic step on the sequences `members`.
    private func update(_ critic: LlamaModel, _ criticOptimizer: AdamW, _ r: Rollout, _ members: [Int]) throws -> ValueLoss {
        let sb = try SequenceBatch(prompts: members.map { r.prompts[$0] }, responses: members.map { r.responses[$0].tokens },
                                   padToken: critic.config.padTokenId)
        let values = sb.gatherValues(try critic.forward(sb.batch).values)
        let loss = ValueLoss(values: values, oldValues: members.flatMap { r.values[$0] }, returns: members.flatMap { r.returns[$0] },
                             clipRange: config.clipRangeValue, coefficient: config.valueCoefficient)
        try critic.backward(dValues: sb.scatterValues(loss.gradient))
        try criticOptimizer.update(critic, learningRate: Float(config.criticLearningRate))
        return loss
    }
}
