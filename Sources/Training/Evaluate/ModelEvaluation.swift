/// One model's responses to the eval prompts, judged by the gold verifier and the reward model.
public struct ModelEvaluation: Codable, Equatable, Sendable {
    /// "base", "sft" or "policy".
    public var model: String
    /// Mean gold score over prompts the world can verify (nil without a world judge or world prompts).
    public var goldMean: Double?
    /// Mean gold score per task family.
    public var goldByFamily: [String: Double]
    /// Mean gold score per scenario (helpfulness, safety).
    public var goldByScenario: [String: Double]
    /// Gold scores of greedy responses, reported beside sampled ones (nil when the evaluation itself is greedy).
    public var greedyGold: GreedyGold?
    /// Mean reward-model score.
    public var rmMean: Double
    /// Standard deviation of the reward-model scores.
    public var rmStd: Double
    /// Standard deviation of the gold scores (nil without gold scores).
    public var goldStd: Double?
    /// Mean response length in characters.
    public var lengthMean: Double
    /// Fraction of responses that reached EOS.
    public var eosFraction: Double
    /// Monte-Carlo KL(model ‖ SFT): summed per response over samples at temperature 1, averaged.
    public var klToSFT: Double
    /// Spread of the gold scores per task family (nil in reports written before version 2).
    public var goldSpreadByFamily: [String: GoldSpread]?
    /// Spread of the gold scores per scenario (nil in reports written before version 2).
    public var goldSpreadByScenario: [String: GoldSpread]?

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case model
        case goldMean = "gold_mean"
        case goldByFamily = "gold_by_family"
        case goldByScenario = "gold_by_scenario"
        case greedyGold = "greedy_gold"
        case rmMean = "rm_mean"
        case rmStd = "rm_std"
        case goldStd = "gold_std"
        case lengthMean = "length_mean"
        case eosFraction = "eos_fraction"
        case klToSFT = "kl_to_sft"
        case goldSpreadByFamily = "gold_spread_by_family"
        case goldSpreadByScenario = "gold_spread_by_scenario"
    }
}

/// Gold scores of one greedy response per eval prompt.
public struct GreedyGold: Codable, Equatable, Sendable {
    /// Mean gold score over prompts the world can verify.
    public var goldMean: Double
    /// Mean gold score per task family.
    var goldByFamily: [String: Double]
    /// Mean gold score per scenario.
    var goldByScenario: [String: Double]

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case goldMean = "gold_mean"
        case goldByFamily = "gold_by_family"
        case goldByScenario = "gold_by_scenario"
    }
}

/// Standard deviation and count of one group's gold scores, for confidence intervals.
public struct GoldSpread: Codable, Equatable, Sendable {
    /// Population standard deviation of the group's gold scores.
    var std: Double
    /// Number of gold-scored responses in the group.
    var count: Int

    /// Half-width of the normal-approximation 95% interval of the group mean (1.96·std/√n).
    public var halfWidth95: Double { count > 0 ? 1.96 * std / Double(count).squareRoot() : 0 }
}

/// One judged response.
public struct JudgedResponse: Codable, Equatable, Sendable {
    /// The prompt.
    public var prompt: String
    /// The response text (without EOS).
    public var response: String
    /// Reward-model score.
    public var rmScore: Double
    /// Gold score (nil when the prompt is not a world task).
    public var gold: Double?
    /// Whether the response reached EOS.
    public var reachedEOS: Bool
    /// Response length in tokens, EOS included (nil in reports written before it was recorded).
    public var tokens: Int? = nil

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case prompt, response, gold, tokens
        case rmScore = "rm_score"
        case reachedEOS = "reached_eos"
    }
}
