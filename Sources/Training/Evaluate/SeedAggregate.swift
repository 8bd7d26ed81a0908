import Foundation

/// One headline figure across replicated seeds: the mean with a Student-t 95% interval, and every seed's value beside it.
public struct SeedFigure: Codable, Equatable, Sendable {
    /// Figure name, e.g. `gold_gain` or `gold_gain.family:repeat`.
    public var name: String
    /// Mean over the seeds that have it.
    public var mean: Double
    /// Lower end of the 95% interval (nil below 2 seeds).
    public var ciLow: Double?
    /// Upper end of the 95% interval (nil below 2 seeds).
    public var ciHigh: Double?
    /// Value per seed, by seed.
    public var perSeed: [String: Double]

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case name, mean
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case perSeed = "per_seed"
    }

    /// The figure `name` over `perSeed`: mean ± t(0.975, n−1)·s/√n with the sample standard deviation s.
    public init(name: String, perSeed: [String: Double]) {
        self.name = name
        self.perSeed = perSeed
        let values = perSeed.keys.sorted().map { perSeed[$0]! }
        mean = Statistics.mean(values)
        guard values.count >= 2 else { return }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        let half = Self.tQuantile975(degreesOfFreedom: values.count - 1) * (variance / Double(values.count)).squareRoot()
        ciLow = mean - half
        ciHigh = mean + half
    }

    /// The 0.975 quantile of Student's t with `degreesOfFreedom` (exact to 3 decimals up to 30, then the normal 1.96).
    static func tQuantile975(degreesOfFreedom: Int) -> Double {
        let table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                     2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        guard degreesOfFreedom >= 1 else { return .nan }
        return degreesOfFreedom <= table.count ? table[degreesOfFreedom - 1] : 1.96
    }
}

/// The aggregate evaluation of a replicated experiment: each headline figure of `final_eval.json` as mean and 95%
/// interval across seeds (gold and RM gains over SFT, sampled and greedy gold, win rates vs SFT by each judge, gold gain per family
/// and scenario, KL to SFT, the slice alarm).
public struct SeedAggregate: Codable, Equatable, Sendable {
    /// The seeds aggregated, sorted.
    public var seeds: [String]
    /// Every figure, sorted by name.
    public var figures: [SeedFigure]

    /// An aggregate of `figures` over `seeds` as given (e.g. read back or built by hand).
    public init(seeds: [String], figures: [SeedFigure]) {
        self.seeds = seeds
        self.figures = figures
    }

    /// Aggregates one evaluation per seed (keyed by seed or input role, e.g. `seed_11`); a figure missing in some seed is
    /// aggregated over the seeds that have it. Seeds sort numerically (`seed_4` before `seed_11`).
    public init(_ evaluations: [String: FinalEvaluation]) {
        seeds = evaluations.keys.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        var table: [String: [String: Double]] = [:]
        for (seed, evaluation) in evaluations {
            for (name, value) in Self.headline(evaluation) { table[name, default: [:]][seed] = value }
        }
        figures = table.keys.sorted().map { SeedFigure(name: $0, perSeed: table[$0]!) }
    }

    /// The figure named `name`.
    public func figure(_ name: String) -> SeedFigure? { figures.first { $0.name == name } }

    /// The headline figures of one evaluation: policy minus SFT (sampled and greedy gold, RM, each family and scenario),
    /// both models' gold scores, the policy's win rates against SFT with their lower 95% bounds, its KL to SFT and
    /// whether the per-slice reward-hacking alarm fired (1) or not (0).
    public static func headline(_ evaluation: FinalEvaluation) -> [String: Double] {
        var figures: [String: Double] = [:]
        guard let policy = evaluation.model("policy"), let sft = evaluation.model("sft") else { return figures }
        figures["rm_gain"] = policy.rmMean - sft.rmMean
        figures["kl_to_sft"] = policy.klToSFT
        if let p = policy.goldMean, let s = sft.goldMean {
            figures["gold_gain"] = p - s
            figures["gold.policy"] = p
            figures["gold.sft"] = s
        }
        if let p = policy.greedyGold, let s = sft.greedyGold {
            figures["greedy_gold_gain"] = p.goldMean - s.goldMean
            figures["greedy_gold.policy"] = p.goldMean
            figures["greedy_gold.sft"] = s.goldMean
        }
        for (family, value) in policy.goldByFamily {
            if let base = sft.goldByFamily[family] { figures["gold_gain.family:\(family)"] = value - base }
        }
        for (scenario, value) in policy.goldByScenario {
            if let base = sft.goldByScenario[scenario] { figures["gold_gain.scenario:\(scenario)"] = value - base }
        }
        for rate in evaluation.winRates where rate.a == "policy" && rate.b == "sft" {
            figures["win_rate_vs_sft.\(rate.judge)"] = rate.winRate
            figures["win_rate_vs_sft.\(rate.judge).ci_low"] = rate.ciLow
        }
        if let alarm = evaluation.sliceAlarm, alarm.judged { figures["slice_alarm.fired"] = alarm.fired ? 1 : 0 }
        return figures
    }

    /// The seed a key names: `11` for `seed_11`, the key itself otherwise.
    public static func seedLabel(_ key: String) -> String {
        key.hasPrefix("seed_") ? String(key.dropFirst("seed_".count)) : key
    }
}
