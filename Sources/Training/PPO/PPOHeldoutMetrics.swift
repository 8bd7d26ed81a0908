/// One held-out evaluation during PPO: the policy sampled as rollouts are (same temperature and length, no training) on a
/// fixed set of held-out prompts, then scored by the reward model, the gold judge (with a world) and the reference.
/// Written to `ppo_train_metrics.jsonl` as its own line type, `"type": "heldout"`, so `gate.ppo_guard` can tell a
/// policy that only pleases the reward model on its training prompts from one that improves on prompts it never trained on.
public struct PPOHeldoutMetrics: Codable, Equatable, Sendable {
    /// The value of a held-out line's `type` key.
    public static let lineType = "heldout"
    /// PPO iterations completed when the policy was sampled (0: the SFT policy, before any update).
    public var iteration: Int
    /// Held-out prompts sampled (one completion each).
    public var promptCount: Int
    /// Mean reward-model score of the completions.
    public var rmScoreMean: Double
    /// Mean gold score of the completions whose prompts are world tasks; nil without a world judge or such prompts.
    public var goldScoreMean: Double?
    /// Summed per-token KL estimate to the reference per completion, averaged (policy log-probs from the sampler, in the
    /// rollout precision; the reference's in the scoring precision).
    public var klMean: Double
    /// Mean completion length in tokens.
    public var responseLengthMean: Double
    /// Fraction of completions that ended with EOS.
    public var eosFraction: Double
    /// Wall time of the evaluation (sampling and scoring), seconds.
    public var seconds: Double
    /// Scores by `family:<name>` and `scenario:<name>` (world prompts with a gold score only).
    public var slices: [String: PPOSliceScores]?

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case type, iteration, seconds, slices
        case promptCount = "prompt_count"
        case rmScoreMean = "rm_score_mean"
        case goldScoreMean = "gold_score_mean"
        case klMean = "kl_mean"
        case responseLengthMean = "response_length_mean"
        case eosFraction = "eos_fraction"
    }

    /// The figures of one evaluation.
    public init(iteration: Int, promptCount: Int, rmScoreMean: Double, goldScoreMean: Double?, klMean: Double,
                responseLengthMean: Double, eosFraction: Double, seconds: Double, slices: [String: PPOSliceScores]?) {
        self.iteration = iteration
        self.promptCount = promptCount
        self.rmScoreMean = rmScoreMean
        self.goldScoreMean = goldScoreMean
        self.klMean = klMean
        self.responseLengthMean = responseLengthMean
        self.eosFraction = eosFraction
        self.seconds = seconds
        self.slices = slices
    }

    /// Reads a held-out line; a line whose `type` is not "heldout" is a decoding error.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        guard type == Self.lineType else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "expected \"\(Self.lineType)\", got \"\(type)\"")
        }
        iteration = try c.decode(Int.self, forKey: .iteration)
        promptCount = try c.decode(Int.self, forKey: .promptCount)
        rmScoreMean = try c.decode(Double.self, forKey: .rmScoreMean)
        goldScoreMean = try c.decodeIfPresent(Double.self, forKey: .goldScoreMean)
        klMean = try c.decode(Double.self, forKey: .klMean)
        responseLengthMean = try c.decode(Double.self, forKey: .responseLengthMean)
        eosFraction = try c.decode(Double.self, forKey: .eosFraction)
        seconds = try c.decode(Double.self, forKey: .seconds)
        slices = try c.decodeIfPresent([String: PPOSliceScores].self, forKey: .slices)
    }

    /// Writes the line, `type` first.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.lineType, forKey: .type)
        try c.encode(iteration, forKey: .iteration)
        try c.encode(promptCount, forKey: .promptCount)
        try c.encode(rmScoreMean, forKey: .rmScoreMean)
        try c.encodeIfPresent(goldScoreMean, forKey: .goldScoreMean)
        try c.encode(klMean, forKey: .klMean)
        try c.encode(responseLengthMean, forKey: .responseLengthMean)
        try c.encode(eosFraction, forKey: .eosFraction)
        try c.encode(seconds, forKey: .seconds)
        try c.encodeIfPresent(slices, forKey: .slices)
    }
}
