extension World {
    /// Prefixes used for embedded leaks.
    private static let leakPrefixes = ["quick question:", "hey, my friend asked me this:", "for my homework:",
                                       "i was wondering,"]
    /// Suffixes used for embedded leaks.
    private static let leakSuffixes = ["thanks!", "please help.", "thank you.", "ok?"]

    /// The deliberate leaks: round(`leak_fraction` × `eval_count`) distinct eval prompts, kinds in
    /// turn exact, reworded, embedded (so each kind gets n/3, the first kinds the remainder), spread
    /// over `leak_targets` in turn per group of three, each on a distinct random line of its target.
    /// - Throws: `WorldError.invalidConfig` when a target set is too small for its leaks.
    public func leakPlan() throws -> [LeakRecord] {
        let total = Int((config.leakFraction * Double(config.evalCount)).rounded())
        guard total > 0 else { return [] }
        let eval = try evalPrompts()
        var rng = stream("leak")
        var order = Array(eval.indices)
        rng.shuffle(&order)
        var plan: [LeakRecord] = []
        var freeLines: [LeakTarget: [Int]] = [:]
        for i in 0..<total {
            let record = eval[order[i]]
            let kind = LeakKind.allCases[i % LeakKind.allCases.count]
            let target = config.leakTargets[(i / LeakKind.allCases.count) % config.leakTargets.count]
            if freeLines[target] == nil {
                var lines = Array(1...max(1, setSize(target)))
                rng.shuffle(&lines)
                freeLines[target] = setSize(target) > 0 ? lines : []
            }
            guard let line = freeLines[target]?.popLast() else {
                throw WorldError.invalidConfig(field: "leak_fraction", message:
                    "too many leaks for the \(target.rawValue) set of \(setSize(target)) lines; lower leak_fraction")
            }
            let text = leakText(record.prompt, kind: kind, rng: &rng)
            plan.append(LeakRecord(evalID: record.id ?? "", evalPrompt: record.prompt, kind: kind,
                                   target: target, line: line, text: text))
        }
        return plan
    }

    /// The configured size of a leak target set.
    private func setSize(_ target: LeakTarget) -> Int {
        switch target {
        case .sft: return config.sftCount
        case .preference: return config.preferencePromptCount
        case .ppo: return config.ppoPromptCount
        }
    }

    /// The training text of a leak of `prompt`.
    private func leakText(_ prompt: String, kind: LeakKind, rng: inout SplitMix64) -> String {
        switch kind {
        case .exact:
            return prompt
        case .reworded:
            return World.reword(prompt, rng: &rng)
        case .embedded:
            let sentence = [".", "?", "!"].contains(prompt.last) ? prompt : prompt + "."
            return rng.pick(World.leakPrefixes) + " " + sentence + " " + rng.pick(World.leakSuffixes)
        }
    }

    /// Changes case, spacing and end punctuation only; `TextNormalization.key` is unchanged and
    /// the text always differs from `prompt`.
    static func reword(_ prompt: String, rng: inout SplitMix64) -> String {
        var core = prompt
        while let last = core.last, [".", "?", "!"].contains(last) { core.removeLast() }
        var words = core.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        for i in words.indices where i == 0 || rng.chance(0.3) {
            words[i] = i == 0 && rng.chance(0.5) ? words[i].prefix(1).uppercased() + words[i].dropFirst()
                                                 : words[i].uppercased()
        }
        var text = ""
        for (i, word) in words.enumerated() {
            if i > 0 { text += rng.chance(0.3) ? "  " : " " }
            text += word
        }
        let ending = rng.pick(["", "!", "?!", " ?", "...", "!!"])
        return (rng.chance(0.5) ? "  " : "") + text + ending
    }
}
