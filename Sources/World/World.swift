import TextSimilarity

/// The synthetic world: deterministic generators for every data set of the default experiment.
///
/// Each generator draws from its own named random stream derived from `config.seed`, so changing
/// one set's size never changes another set. Every task's parameters fall either in the eval
/// region (a `eval_region_fraction` share of each family's parameter space, chosen by a stable
/// hash of `WorldTask.parameterKey`) or in the training region; eval prompts come only from the
/// former and every training set, corpus line and demonstration only from the latter, so eval
/// prompts are disjoint from training data by construction (except deliberate leaks).
public struct World: Sendable {
    /// The validated configuration.
    public let config: WorldConfig

    /// Creates a world after validating `config`.
    /// - Throws: `WorldError.invalidConfig` for out-of-range values.
    public init(config: WorldConfig = WorldConfig()) throws {
        try config.validate()
        self.config = config
    }

    /// Which part of the parameter space a set draws from.
    enum Region {
        /// Training sets (corpus, SFT, preference and PPO prompts).
        case training
        /// Eval prompts.
        case eval
    }

    /// Whether a task's parameters lie in the eval region.
    public func isEvalRegion(_ task: WorldTask) -> Bool {
        let h = StableHash.hash("\(config.seed)|region|\(task.parameterKey)")
        return Double(h % 1_000_000) < config.evalRegionFraction * 1_000_000
    }

    /// A random number generator for the named stream.
    func stream(_ name: String) -> SplitMix64 {
        SplitMix64(seed: config.seed, stream: name)
    }

    /// How many of `total` items each family gets: `harmful_fraction` harmful, the rest split by
    /// `family_weights` (largest remainder, ties in family order).
    func familyCounts(total: Int) -> [(family: TaskFamily, count: Int)] {
        var shares: [(TaskFamily, Double)] = [(.harmful, config.harmfulFraction)]
        let weightSum = config.familyWeights.values.reduce(0, +)
        for family in TaskFamily.helpful {
            let weight = weightSum > 0 ? (config.familyWeights[family.rawValue] ?? 0) / weightSum : 0
            shares.append((family, (1 - config.harmfulFraction) * weight))
        }
        var counts = shares.map { (family: $0.0, count: Int(($0.1 * Double(total)).rounded(.down))) }
        let remainders = shares.indices.sorted {
            let a = shares[$0].1 * Double(total), b = shares[$1].1 * Double(total)
            let ra = a - a.rounded(.down), rb = b - b.rounded(.down)
            return ra != rb ? ra > rb : $0 < $1
        }
        var missing = total - counts.reduce(0) { $0 + $1.count }
        for index in remainders where missing > 0 && shares[index].1 > 0 {
            counts[index].count += 1
            missing -= 1
        }
        return counts
    }

    /// Draws `count` tasks for a set from `streamName`, mixed per `familyCounts`, in shuffled order.
    /// Training sets have distinct normalised prompts; the eval set has distinct parameter keys; no task's key is in
    /// `excluded` (the keys of another set the new one must be disjoint from).
    /// - Throws: `WorldError.parameterSpaceExhausted` when a family cannot supply enough tasks.
    func tasks(count: Int, stream streamName: String, region: Region, excluding excluded: Set<String> = []) throws -> [WorldTask] {
        var rng = stream(streamName)
        var slots: [TaskFamily] = []
        for entry in familyCounts(total: count) {
            slots += Array(repeating: entry.family, count: entry.count)
        }
        rng.shuffle(&slots)
        var seen = Set<String>()
        var tasks: [WorldTask] = []
        tasks.reserveCapacity(count)
        for family in slots {
            var attempts = 0
            while true {
                attempts += 1
                let task = WorldTask.random(family, using: &rng)
                let key = region == .eval ? task.parameterKey : TextNormalization.key(task.prompt)
                if isEvalRegion(task) == (region == .eval), !excluded.contains(key), seen.insert(key).inserted {
                    tasks.append(task)
                    break
                }
                if attempts > 5_000 {
                    let found = tasks.filter { $0.family == family }.count
                    throw WorldError.parameterSpaceExhausted(
                        family: family.rawValue, requested: slots.filter { $0 == family }.count, found: found)
                }
            }
        }
        return tasks
    }

    /// A prompt record for a task with the given id.
    func promptRecord(_ task: WorldTask, id: String) -> PromptRecord {
        PromptRecord(prompt: task.prompt, id: id, scenario: task.scenario.rawValue, family: task.family.rawValue)
    }

    /// Zero-padded ids "prefix-0001", ... so they sort in file order.
    static func id(_ prefix: String, _ index: Int) -> String {
        let digits = String(index + 1)
        return prefix + "-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
