import Model
import Training

/// A scalar-head checkpoint as a judge: it scores each response, and P(A beats B) = σ(r_A − r_B).
struct RewardModelJudge: PairJudge {
    /// "reward_model".
    let name = "reward_model"
    /// Scores (prompt, response) pairs.
    let trainer: RewardTrainer

    /// A judge scoring with `model` (a LlamaForSequenceClassification checkpoint) and `tokenizer`, in `chatTemplate`
    /// when the checkpoint has one.
    init(model: LlamaModel, tokenizer: any Tokenizer, chatTemplate: ModelChatTemplate? = nil) {
        trainer = RewardTrainer(model: model, tokenizer: tokenizer, schedule: nil, chatTemplate: chatTemplate)
    }

    /// Verdicts with P(A beats B); A wins above ½.
    func judge(_ pairs: [JudgePair]) throws -> [PairVerdict?] {
        let rewards = try trainer.scores(pairs.flatMap { [($0.prompt, $0.a.text), ($0.prompt, $0.b.text)] })
        return pairs.indices.map { i in
            let p = Statistics.sigmoid(rewards[2 * i] - rewards[2 * i + 1])
            return PairVerdict(winner: Self.winner(rewards[2 * i], rewards[2 * i + 1]), reason: nil, probabilityA: p)
        }
    }
}
