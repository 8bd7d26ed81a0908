import World

extension PPOSliceScores {
    /// By `family:<name>` and `scenario:<name>`: the population standard deviation of each prompt's gold change from
    /// `baseline` to `current` (the same prompts, index by index), over the prompts with a gold score in both.
    /// - Complexity: O(n) prompt parses for n prompts.
    static func changeStd(prompts: [String], baseline: [Double?], current: [Double?]) -> [String: Double] {
        var changes: [String: [Double]] = [:]
        for (index, prompt) in prompts.enumerated() where index < baseline.count && index < current.count {
            guard let before = baseline[index], let after = current[index], let task = try? WorldTask(parsing: prompt) else { continue }
            for slice in ["family:\(task.family.rawValue)", "scenario:\(task.scenario.rawValue)"] {
                changes[slice, default: []].append(after - before)
            }
        }
        return changes.mapValues(Statistics.standardDeviation)
    }
}
