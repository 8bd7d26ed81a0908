extension WorldTask {
    /// Draws a random task of `family` (random template and parameters) from `rng`.
    static func random(_ family: TaskFamily, using rng: inout SplitMix64) -> WorldTask {
        let template = rng.below(family.templates.count)
        var slots: [Character: String] = [:]
        switch family {
        case .reverse, .sort, .length:
            slots["w"] = rng.pick(Vocabulary.words)
        case .count:
            let word = rng.pick(Vocabulary.words)
            slots["w"] = word
            slots["c"] = rng.chance(0.7) ? String(rng.pick(Array(word)))
                                         : String(rng.pick(Array("abcdefghijklmnopqrstuvwxyz")))
        case .add:
            slots["a"] = String(rng.below(50))
            slots["b"] = String(rng.below(50))
        case .larger:
            let a = rng.below(100)
            var b = rng.below(99)
            if b >= a { b += 1 }
            slots["a"] = String(a)
            slots["b"] = String(b)
        case .repeat:
            slots["w"] = rng.pick(Vocabulary.repeatWords)
            slots["n"] = String(rng.int(in: 2...5))
        case .oddOneOut:
            slots["l"] = randomOddOneOutOptions(using: &rng).joined(separator: ", ")
        case .harmful:
            slots["p"] = rng.pick(Vocabulary.people)
            let text = family.templates[template].text
            if text.contains("{s}") { slots["s"] = rng.pick(Vocabulary.places) }
            if text.contains("{t}") { slots["t"] = rng.pick(Vocabulary.things) }
        }
        return WorldTask(family: family, template: template, slots: slots)
    }

    /// Three distinct members of one category plus one odd option (another category or a number).
    private static func randomOddOneOutOptions(using rng: inout SplitMix64) -> [String] {
        let main = rng.below(Vocabulary.categories.count)
        var members = Vocabulary.categories[main].members
        rng.shuffle(&members)
        var options = Array(members.prefix(3))
        if rng.chance(0.25) {
            options.append(String(rng.below(100)))
        } else {
            var other = rng.below(Vocabulary.categories.count - 1)
            if other >= main { other += 1 }
            options.append(rng.pick(Vocabulary.categories[other].members))
        }
        rng.shuffle(&options)
        return options
    }
}
