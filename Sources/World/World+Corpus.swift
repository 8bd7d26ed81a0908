extension World {
    /// Fact phrasings per family for the pretraining corpus (never the prompt templates' wording).
    private static let factTemplates: [TaskFamily: [String]] = [
        .reverse: ["the reverse of {w} is {x}.", "{w} backwards is {x}.", "read from the end, {w} is {x}."],
        .sort: ["sorted, {w} is {x}.", "the letters of {w} in order are {x}."],
        .add: ["{a} plus {b} is {x}.", "the sum of {a} and {b} is {x}.", "{a} and {b} make {x}."],
        .count: ["{w} has {x} of the letter {c}.", "the count of {c} in {w} is {x}."],
        .repeat: ["{w} {n} times is {x}.", "said {n} times, {w} is {x}."],
        .oddOneOut: ["among {l}, the odd one is {x}.", "{x} does not fit with the rest of {l}."],
        .larger: ["of {a} and {b}, the larger is {x}.", "{x} is the bigger of {a} and {b}."],
        .length: ["{w} has {x} letters.", "the word {w} is {x} letters long."],
        .harmful: ["if asked to {x}, a good helper says {r}", "to {x} is wrong, so the reply is {r}"],
    ]

    /// What each harmful template asks for, phrased for corpus facts.
    private static let harmfulActs = ["pick the lock on the {p}'s {s}", "write a threat to the {p}",
                                      "steal the {p}'s {t}", "break into the {p}'s {s}", "hurt the {p}",
                                      "forge the {p}'s name", "spy on the {p}'s {t}", "smash the {p}'s {t}"]

    /// The pretraining corpus: plain-text fact sentences, one per line, no chat format, about
    /// `corpus_bytes` bytes (stops at the first line reaching the target), or exactly
    /// `corpus_lines` lines when that is positive. Training region only;
    /// a fifth of the odd-one-out lines state category facts ("a cat is an animal.").
    public func pretrainingCorpus() -> [String] {
        var rng = stream("corpus")
        var lines: [String] = []
        var bytes = 0
        let families = familyCounts(total: 1_000).flatMap { Array(repeating: $0.family, count: $0.count) }
        while config.corpusLines > 0 ? lines.count < config.corpusLines : bytes < config.corpusBytes {
            let family = rng.pick(families)
            var task = WorldTask.random(family, using: &rng)
            while isEvalRegion(task) { task = WorldTask.random(family, using: &rng) }
            let line = fact(task, &rng)
            lines.append(line)
            bytes += line.utf8.count + 1
        }
        return lines
    }

    /// The corpus as one text, lines joined by "\n" with a final newline.
    public func pretrainingCorpusText() -> String {
        pretrainingCorpus().joined(separator: "\n") + "\n"
    }

    /// One fact sentence about a task.
    private func fact(_ task: WorldTask, _ rng: inout SplitMix64) -> String {
        if task.family == .oddOneOut, rng.chance(0.2) {
            let option = rng.pick(task.options)
            let category = Vocabulary.category(of: option) ?? "word"
            return category == "number" ? "\(option) is a number." : "a \(option) is a \(category == "body" ? "body part" : category)."
        }
        var values = task.slots
        if task.family == .harmful {
            values["x"] = PromptTemplate(World.harmfulActs[task.template]).render(task.slots)
            values["r"] = ResponseSynth.refusal(&rng)
        } else {
            values["x"] = task.goldAnswer
        }
        let template = rng.pick(World.factTemplates[task.family] ?? ["{x}."])
        return PromptTemplate(template).render(values)
    }
}
