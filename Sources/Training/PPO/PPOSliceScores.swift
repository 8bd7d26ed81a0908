import World

/// One slice's (task family's or scenario's) scores in one PPO rollout, for `gate.ppo_guard`'s per-slice alarm.
public struct PPOSliceScores: Codable, Equatable, Sendable {
    /// Mean reward-model score of the slice's responses.
    public var rmScoreMean: Double
    /// Mean gold score of the same responses.
    public var goldScoreMean: Double
    /// Population standard deviation of their gold scores.
    public var goldScoreStd: Double
    /// Responses in the slice.
    public var count: Int
    /// On held-out lines after the first: the population standard deviation over the slice's prompts of each prompt's
    /// gold change since the first held-out evaluation (the same prompts then and now, so the change's standard error is
    /// this over √(count − 1)); nil on iteration lines.
    public var goldChangeStd: Double?

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case count
        case rmScoreMean = "rm_score_mean"
        case goldScoreMean = "gold_score_mean"
        case goldScoreStd = "gold_score_std"
        case goldChangeStd = "gold_change_std"
    }

    /// Scores by `family:<name>` and `scenario:<name>` of the responses with a gold score; nil when none has one.
    /// - Complexity: O(n) prompt parses for n responses.
    static func bySlice(prompts: [String], rm: [Double], gold: [Double?]) -> [String: PPOSliceScores]? {
        var groups: [String: (rm: [Double], gold: [Double])] = [:]
        for (index, prompt) in prompts.enumerated() where index < rm.count && index < gold.count {
            guard let score = gold[index], let task = try? WorldTask(parsing: prompt) else { continue }
            for slice in ["family:\(task.family.rawValue)", "scenario:\(task.scenario.rawValue)"] {
                groups[slice, default: ([], [])].rm.append(rm[index])
                groups[slice, default: ([], [])].gold.append(score)
            }
        }
        guard !groups.isEmpty else { return nil }
        return groups.mapValues { group in
            let mean = Statistics.mean(group.gold)
            let variance = group.gold.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(group.gold.count)
            return PPOSliceScores(rmScoreMean: Statistics.mean(group.rm), goldScoreMean: mean, goldScoreStd: variance.squareRoot(),
                                  count: group.gold.count)
        }
    }
}
