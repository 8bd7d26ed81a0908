/// Every knob of the synthetic world, Codable with snake_case keys; absent keys take the defaults.
///
/// Which generator reads which knob (so a stage can key each node on only what it uses):
/// all read `seed`, `family_weights`, `harmful_fraction`, `eval_region_fraction`;
/// corpus adds `corpus_bytes` and `corpus_lines`; SFT adds `sft_count`, `sft_error_rate`, `sft_style_noise_rate`,
/// `sft_over_refusal_rate`; PPO adds `ppo_prompt_count`; preference prompts add
/// `preference_prompt_count`; eval adds `eval_count`; every training set and the leak manifest
/// also read `eval_count`, `leak_fraction`, `leak_targets` and the target sets' counts.
public struct WorldConfig: Codable, Equatable, Sendable {
    /// Master seed; every generator derives its own stream from it.
    public var seed: UInt64 = 1
    /// Relative weight of each helpfulness family by name (missing families weigh 0 when any is given).
    public var familyWeights: [String: Double] = Dictionary(uniqueKeysWithValues:
        TaskFamily.helpful.map { ($0.rawValue, 1.0) })
    /// Fraction of every prompt set (and corpus lines) that are harmful requests.
    public var harmfulFraction: Double = 0.15
    /// Fraction of each family's parameter space reserved for eval prompts only.
    public var evalRegionFraction: Double = 0.2
    /// Target size of the pretraining corpus in bytes.
    public var corpusBytes: Int = 300_000
    /// When positive, the corpus has exactly this many lines and `corpus_bytes` is ignored.
    public var corpusLines: Int = 0
    /// Number of SFT demonstrations.
    public var sftCount: Int = 2_000
    /// Fraction of SFT demonstrations whose content is wrong (harmful: compliance instead of refusal).
    public var sftErrorRate: Double = 0.1
    /// Fraction of SFT demonstrations wrapped in extra words ("the answer is X.").
    public var sftStyleNoiseRate: Double = 0.1
    /// Fraction of benign SFT demonstrations that wrongly refuse.
    public var sftOverRefusalRate: Double = 0.02
    /// Number of prompts offered to the preference stage.
    public var preferencePromptCount: Int = 400
    /// Number of PPO prompts.
    public var ppoPromptCount: Int = 400
    /// Number of eval prompts.
    public var evalCount: Int = 200
    /// Fraction of eval prompts deliberately copied into training sets (for testing the leak gate).
    public var leakFraction: Double = 0
    /// Training sets that receive leaked eval prompts, in round-robin order.
    public var leakTargets: [LeakTarget] = LeakTarget.allCases

    /// The default world.
    public init() {}

    /// JSON keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case seed
        case familyWeights = "family_weights"
        case harmfulFraction = "harmful_fraction"
        case evalRegionFraction = "eval_region_fraction"
        case corpusBytes = "corpus_bytes"
        case corpusLines = "corpus_lines"
        case sftCount = "sft_count"
        case sftErrorRate = "sft_error_rate"
        case sftStyleNoiseRate = "sft_style_noise_rate"
        case sftOverRefusalRate = "sft_over_refusal_rate"
        case preferencePromptCount = "preference_prompt_count"
        case ppoPromptCount = "ppo_prompt_count"
        case evalCount = "eval_count"
        case leakFraction = "leak_fraction"
        case leakTargets = "leak_targets"
    }

    /// Decodes with defaults for absent keys; unknown keys and out-of-range values are errors.
    public init(from decoder: Decoder) throws {
        try ConfigKeys.rejectUnknown(decoder, known: CodingKeys.allCases.map(\.rawValue), in: "world config")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        familyWeights = try c.decodeIfPresent([String: Double].self, forKey: .familyWeights) ?? familyWeights
        harmfulFraction = try c.decodeIfPresent(Double.self, forKey: .harmfulFraction) ?? harmfulFraction
        evalRegionFraction = try c.decodeIfPresent(Double.self, forKey: .evalRegionFraction) ?? evalRegionFraction
        corpusBytes = try c.decodeIfPresent(Int.self, forKey: .corpusBytes) ?? corpusBytes
        corpusLines = try c.decodeIfPresent(Int.self, forKey: .corpusLines) ?? corpusLines
        sftCount = try c.decodeIfPresent(Int.self, forKey: .sftCount) ?? sftCount
        sftErrorRate = try c.decodeIfPresent(Double.self, forKey: .sftErrorRate) ?? sftErrorRate
        sftStyleNoiseRate = try c.decodeIfPresent(Double.self, forKey: .sftStyleNoiseRate) ?? sftStyleNoiseRate
        sftOverRefusalRate = try c.decodeIfPresent(Double.self, forKey: .sftOverRefusalRate) ?? sftOverRefusalRate
        preferencePromptCount = try c.decodeIfPresent(Int.self, forKey: .preferencePromptCount)
            ?? preferencePromptCount
        ppoPromptCount = try c.decodeIfPresent(Int.self, forKey: .ppoPromptCount) ?? ppoPromptCount
        evalCount = try c.decodeIfPresent(Int.self, forKey: .evalCount) ?? evalCount
        leakFraction = try c.decodeIfPresent(Double.self, forKey: .leakFraction) ?? leakFraction
        leakTargets = try c.decodeIfPresent([LeakTarget].self, forKey: .leakTargets) ?? leakTargets
        try validate()
    }

    /// Checks every value's range and the family names.
    /// - Throws: `WorldError.invalidConfig` naming the first bad field.
    public func validate() throws {
        func fraction(_ value: Double, _ key: CodingKeys) throws {
            guard value >= 0, value <= 1 else {
                throw WorldError.invalidConfig(field: key.rawValue, message: "must be in [0, 1], got \(value)")
            }
        }
        func count(_ value: Int, _ key: CodingKeys) throws {
            guard value >= 0, value <= 10_000_000 else {
                throw WorldError.invalidConfig(field: key.rawValue, message: "must be in 0...10000000, got \(value)")
            }
        }
        try fraction(harmfulFraction, .harmfulFraction)
        try fraction(sftErrorRate, .sftErrorRate)
        try fraction(sftStyleNoiseRate, .sftStyleNoiseRate)
        try fraction(sftOverRefusalRate, .sftOverRefusalRate)
        try fraction(leakFraction, .leakFraction)
        guard evalRegionFraction > 0, evalRegionFraction < 1 else {
            throw WorldError.invalidConfig(field: CodingKeys.evalRegionFraction.rawValue,
                                           message: "must be strictly between 0 and 1, got \(evalRegionFraction)")
        }
        try count(corpusBytes, .corpusBytes)
        try count(corpusLines, .corpusLines)
        try count(sftCount, .sftCount)
        try count(preferencePromptCount, .preferencePromptCount)
        try count(ppoPromptCount, .ppoPromptCount)
        try count(evalCount, .evalCount)
        let names = Set(TaskFamily.helpful.map(\.rawValue))
        for (name, weight) in familyWeights {
            guard names.contains(name) else {
                throw WorldError.invalidConfig(field: "family_weights.\(name)", message:
                    "unknown family; known: \(TaskFamily.helpful.map(\.rawValue).joined(separator: ", "))")
            }
            guard weight >= 0, weight.isFinite else {
                throw WorldError.invalidConfig(field: "family_weights.\(name)", message: "must be ≥ 0, got \(weight)")
            }
        }
        guard familyWeights.values.reduce(0, +) > 0 || harmfulFraction == 1 else {
            throw WorldError.invalidConfig(field: "family_weights", message: "at least one weight must be positive")
        }
        guard leakFraction == 0 || !leakTargets.isEmpty else {
            throw WorldError.invalidConfig(field: "leak_targets", message: "must name a set when leak_fraction > 0")
        }
    }
}

/// Rejects JSON object keys a config does not know, so typos fail loudly.
enum ConfigKeys {
    /// A coding key for any string.
    struct AnyKey: CodingKey {
        /// The key text.
        var stringValue: String
        /// Integer keys are never used.
        var intValue: Int? { nil }
        /// Wraps a string key.
        init(stringValue: String) { self.stringValue = stringValue }
        /// Integer keys are not supported.
        init?(intValue: Int) { nil }
    }

    /// Throws `WorldError.invalidConfig` for the first key of the decoder's object not in `known`.
    static func rejectUnknown(_ decoder: Decoder, known: [String], in what: String) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys.map(\.stringValue).sorted() where !known.contains(key) {
            throw WorldError.invalidConfig(field: key, message:
                "unknown key in \(what); known keys: \(known.joined(separator: ", "))")
        }
    }
}
