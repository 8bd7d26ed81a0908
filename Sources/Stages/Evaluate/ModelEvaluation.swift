/// One model's responses to the eval prompts, judged by the gold verifier and the reward model.
struct ModelEvaluation: Codable, Equatable, Sendable {
    /// "base", "sft" or "policy".
    var model: String
    /// Mean gold score over prompts the world can verify.
    var goldMean: Double
    /// Mean gold score per task family.
    var goldByFamily: [String: Double]
    /// Mean gold score per scenario (helpfulness, safety).
    var goldByScenario: [String: Double]
    /// Mean reward-model score.
    var rmMean: Double
    /// Standard deviation of the reward-model scores.
    var rmStd: Double
    /// Standard deviation of the gold scores.
    var goldStd: Double
    /// Mean response length in characters.
    var lengthMean: Double
    /// Fraction of responses that reached EOS.
    var eosFraction: Double
    /// Monte-Carlo KL(model ‖ SFT): summed per response over samples at temperature 1, averaged.
    var klToSFT: Double

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case model
        case goldMean = "gold_mean"
        case goldByFamily = "gold_by_family"
        case goldByScenario = "gold_by_scenario"
        case rmMean = "rm_mean"
        case rmStd = "rm_std"
        case goldStd = "gold_std"
        case lengthMean = "length_mean"
        case eosFraction = "eos_fraction"
        case klToSFT = "kl_to_sft"
    }
}

/// One judged response.
struct JudgedResponse: Codable, Equatable, Sendable {
    /// The prompt.
    var prompt: String
    /// The response text (without EOS).
    var response: String
    /// Reward-model score.
    var rmScore: Double
    /// Gold score (nil when the prompt is not a world task).
    var gold: Double?
    /// Whether the response reached EOS.
    var reachedEOS: Bool

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case prompt, response, gold
        case rmScore = "rm_score"
        case reachedEOS = "reached_eos"
    }
}
