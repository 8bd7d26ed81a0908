/// The content of `final_eval.json`: per-model scores, win rates, the reward-hacking signal and samples.
public struct FinalEvaluation: Codable, Equatable, Sendable {
    /// Number of eval prompts.
    public var prompts: Int
    /// Prompts the gold verifier could score.
    public var goldScoredPrompts: Int
    /// Sampling temperature of the judged responses (0: greedy).
    public var temperature: Double
    /// Responses judged per prompt and model (nil in reports written before samples per prompt existed).
    public var samplesPerPrompt: Int?
    /// Precision of the generation passes when it was not fp32 (`bf16`); nil: fp32.
    public var samplingPrecision: String?
    /// Per model, in the order base, SFT, policy.
    public var models: [ModelEvaluation]
    /// Policy vs SFT and vs base by every wired judge (and by gold under greedy decoding when sampling), in both A/B orders.
    public var winRates: [WinRate]
    /// Proxy gain minus gold gain, in words (nil without gold scores).
    public var rewardHacking: RewardHackingSignal?
    /// The reward-hacking alarm per task family and scenario (nil in reports written before it existed).
    public var sliceAlarm: SliceHackingAlarm?
    /// Gold and RM against KL to SFT for PPO snapshots and best-of-n (nil without a snapshots input).
    public var overOptimisation: OverOptimisationCurve?
    /// Every judge wired to the evaluation: pairs judged, position bias, reasons (nil in reports before judges existed).
    public var judges: [JudgeSummary]?
    /// How often each two judges agree on the policy's comparisons.
    public var agreements: [JudgeAgreement]?
    /// Highest RM-scored policy responses (empty without a reward model).
    public var highestRM: [JudgedResponse]
    /// Lowest RM-scored policy responses (empty without a reward model).
    public var lowestRM: [JudgedResponse]
    /// Every judged response by model (`base`, `sft`, `policy`), in prompt order, one prompt's samples adjacent
    /// (nil in reports written before they were kept).
    public var responses: [String: [JudgedResponse]]?

    /// An evaluation of `prompts` eval prompts with its models, win rates, reward-hacking signal and extreme samples.
    public init(prompts: Int, goldScoredPrompts: Int, temperature: Double, samplesPerPrompt: Int? = nil, samplingPrecision: String? = nil,
                models: [ModelEvaluation], winRates: [WinRate], rewardHacking: RewardHackingSignal?,
                judges: [JudgeSummary]? = nil, agreements: [JudgeAgreement]? = nil,
                highestRM: [JudgedResponse], lowestRM: [JudgedResponse], sliceAlarm: SliceHackingAlarm? = nil,
                overOptimisation: OverOptimisationCurve? = nil, responses: [String: [JudgedResponse]]? = nil) {
        self.prompts = prompts
        self.goldScoredPrompts = goldScoredPrompts
        self.temperature = temperature
        self.samplesPerPrompt = samplesPerPrompt
        self.samplingPrecision = samplingPrecision
        self.models = models
        self.winRates = winRates
        self.rewardHacking = rewardHacking
        self.sliceAlarm = sliceAlarm
        self.overOptimisation = overOptimisation
        self.judges = judges
        self.agreements = agreements
        self.highestRM = highestRM
        self.lowestRM = lowestRM
        self.responses = responses
    }

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case prompts, temperature, models, judges, agreements, responses
        case goldScoredPrompts = "gold_scored_prompts"
        case samplesPerPrompt = "samples_per_prompt"
        case samplingPrecision = "sampling_precision"
        case winRates = "win_rates"
        case rewardHacking = "reward_hacking"
        case sliceAlarm = "slice_alarm"
        case overOptimisation = "over_optimisation"
        case highestRM = "highest_rm_samples"
        case lowestRM = "lowest_rm_samples"
    }

    /// Whether a reward model scored the responses (false: every RM figure is absent).
    public var hasRMScores: Bool { models.contains { $0.rmMean != nil } }

    /// The evaluation of model `name`.
    public func model(_ name: String) -> ModelEvaluation? { models.first { $0.model == name } }
}
