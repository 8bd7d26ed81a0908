/// The content of `final_eval.json`: per-model scores, win rates, the reward-hacking signal and samples.
struct FinalEvaluation: Codable, Equatable, Sendable {
    /// Number of eval prompts.
    var prompts: Int
    /// Prompts the gold verifier could score.
    var goldScoredPrompts: Int
    /// Sampling temperature of the judged responses (0: greedy).
    var temperature: Double
    /// Responses judged per prompt and model (nil in reports written before samples per prompt existed).
    var samplesPerPrompt: Int?
    /// Per model, in the order base, SFT, policy.
    var models: [ModelEvaluation]
    /// Policy vs SFT and vs base, by gold and by RM (and by gold under greedy decoding when sampling), in both A/B orders.
    var winRates: [WinRate]
    /// Proxy gain minus gold gain, in words.
    var rewardHacking: RewardHackingSignal
    /// Highest RM-scored policy responses.
    var highestRM: [JudgedResponse]
    /// Lowest RM-scored policy responses.
    var lowestRM: [JudgedResponse]

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case prompts, temperature, models
        case goldScoredPrompts = "gold_scored_prompts"
        case samplesPerPrompt = "samples_per_prompt"
        case winRates = "win_rates"
        case rewardHacking = "reward_hacking"
        case highestRM = "highest_rm_samples"
        case lowestRM = "lowest_rm_samples"
    }

    /// The evaluation of model `name`.
    func model(_ name: String) -> ModelEvaluation? { models.first { $0.model == name } }
}
