/// One iteration's samples and everything computed from them before the update.
struct Rollout {
    /// Encoded chat prefix of each sequence's prompt.
    var prompts: [[Int32]]
    /// Prompt text of each sequence.
    var promptTexts: [String]
    /// Index of each sequence's prompt group (completions of one prompt share it).
    var groups: [Int]
    /// Sampled responses cut at EOS.
    var responses: [TruncatedResponse]
    /// Raw reward-model scores.
    var rmScores: [Double] = []
    /// Scores entering the rewards (penalised; win fractions in self-play).
    var scores: [Double] = []
    /// Gold scores (nil for prompts that are not world tasks).
    var gold: [Double?] = []
    /// Tempered log-probs of the rollout policy, per token: the sampler's own in an fp32 rollout, else a scoring pass's.
    var oldLogProbs: [[Double]] = []
    /// Per-token KL estimates to the reference.
    var kl: [[Double]] = []
    /// Critic values before each token (empty without a critic).
    var values: [[Double]] = []
    /// Final hidden states of the reference trunk before each token (C floats per token), for a value head on the
    /// frozen trunk; empty otherwise.
    var criticFeatures: [[Float]] = []
    /// Advantages per token.
    var advantages: [[Double]] = []
    /// Value targets per token (empty without a critic).
    var returns: [[Double]] = []

    /// Number of sequences.
    var count: Int { responses.count }

    /// Response tokens (EOS included when present).
    var responseTokens: [[Int32]] { responses.map(\.tokens) }
}
