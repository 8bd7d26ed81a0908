import Model
import World

/// Held-out and fresh-pair evaluation of a reward model.
public struct RewardEvaluation {
    /// Scores responses.
    let trainer: RewardTrainer

    /// An evaluation that scores with `trainer`.
    public init(trainer: RewardTrainer) {
        self.trainer = trainer
    }

    /// Held-out results on annotator-labelled pairs.
    public struct HeldOut {
        /// Accuracy and mean margin.
        public var accuracy: PairAccuracy
        /// The same on pairs whose lengths differ by at most 20%.
        public var lengthMatched: PairAccuracy
        /// Reliability table of σ(r_A − r_B) in both A/B orders.
        public var calibration: Calibration
        /// Spearman correlation of reward and length over the held-out responses.
        public var spearmanLength: Double
    }

    /// Gold-judge agreement on fresh samples.
    public struct Fresh {
        /// Accuracy on pairs of the same prompt with different gold scores (higher gold = preferred).
        public var agreement: PairAccuracy
        /// Accuracy on the pairs whose gold scores differ by more than `clearGap`.
        public var clearAgreement: PairAccuracy
        /// The gap that makes a pair clear.
        public var clearGap: Double
        /// Spearman correlation of reward and length.
        public var spearmanLength: Double
        /// Spearman correlation of reward and gold score.
        public var spearmanGold: Double
    }

    /// Evaluates labelled pairs.
    public func pairs(_ records: [PreferenceRecord]) throws -> HeldOut {
        let rewards = try trainer.scores(records.flatMap { [($0.chat, $0.chosen), ($0.chat, $0.rejected)] })
        var margins: [Double] = [], matched: [Double] = []
        var predictions: [(probability: Double, outcome: Bool)] = []
        for (i, record) in records.enumerated() {
            let margin = rewards[2 * i] - rewards[2 * i + 1]
            margins.append(margin)
            let a = Double(record.chosen.count), b = Double(record.rejected.count)
            if abs(a - b) <= 0.2 * max(a, b, 1) { matched.append(margin) }
            let p = Statistics.sigmoid(margin)
            predictions.append((p, true))
            predictions.append((1 - p, false))
        }
        let lengths = records.flatMap { [Double($0.chosen.count), Double($0.rejected.count)] }
        return HeldOut(accuracy: PairAccuracy(margins: margins), lengthMatched: PairAccuracy(margins: matched),
                       calibration: Calibration(predictions), spearmanLength: Statistics.spearman(rewards, lengths) ?? 0)
    }

    /// Scores fresh completions (grouped by prompt) with the RM and the gold judge and compares them.
    public func gold(clearGap: Double, _ groups: [[Completion]]) throws -> Fresh {
        let flat = groups.flatMap { $0 }
        let rewards = try trainer.scores(flat.map { ($0.prompt, $0.text) })
        let golds = try flat.map { try GoldJudge.score(prompt: $0.prompt, response: $0.text, reachedEOS: $0.reachedEOS).value }
        var margins: [Double] = [], clear: [Double] = []
        var offset = 0
        for group in groups {
            for i in group.indices {
                for j in group.indices where j > i {
                    let a = offset + i, b = offset + j
                    guard golds[a] != golds[b] else { continue }
                    let margin = golds[a] > golds[b] ? rewards[a] - rewards[b] : rewards[b] - rewards[a]
                    margins.append(margin)
                    if abs(golds[a] - golds[b]) > clearGap { clear.append(margin) }
                }
            }
            offset += group.count
        }
        return Fresh(agreement: PairAccuracy(margins: margins), clearAgreement: PairAccuracy(margins: clear), clearGap: clearGap,
                     spearmanLength: Statistics.spearman(rewards, flat.map { Double($0.text.count) }) ?? 0,
                     spearmanGold: Statistics.spearman(rewards, golds) ?? 0)
    }
}
