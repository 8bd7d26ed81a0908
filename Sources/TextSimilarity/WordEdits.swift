/// A weighted word edit distance for short texts: how far a training text is from an eval prompt when a few
/// words were swapped, inserted or deleted. Function words and synonyms weigh little, content words 1 and numbers 2,
/// and the budget grows with the prompt's length, so a modal verb swapped in a 9-word prompt is a leak while
/// two prompts that share a template but differ in their filled-in word are not. A one-letter change is a
/// content edit too ("say wing 3 times" against "say wind 3 times" is the world's own template twin), so
/// spelling variants count as synonyms only where `WordClasses` lists them (British and American spellings).
public struct WordEditRule: Sendable, Equatable {
    /// Words of prompt per unit of budget: an n-word prompt tolerates edits weighing `max(minimumBudget, n / wordsPerUnit)`.
    public var wordsPerUnit = 24.0
    /// The budget of the shortest prompts: one function-word edit.
    public var minimumBudget = 0.35
    /// Longest eval prompt checked, in words; longer prompts are left to n-gram containment.
    public var maxWords = 32
    /// A swap within a synonym group (which holds British and American spellings too).
    public var variantCost = 0.2
    /// A swap between two function words, or a function word inserted or deleted.
    public var lightCost = 0.35
    /// Any other word swapped, inserted or deleted.
    public var contentCost = 1.0
    /// A word holding a digit swapped, inserted or deleted.
    public var numberCost = 2.0

    /// The default rule.
    public init() {}

    /// The edit weight an eval prompt of `words` words tolerates.
    public func budget(words: Int) -> Double {
        max(minimumBudget, Double(words) / wordsPerUnit)
    }

    /// The most edits (each weighing at least `variantCost`) that fit the budget of a `words`-word prompt.
    func maxEdits(words: Int) -> Int {
        Int((budget(words: words) / variantCost + 1e-9).rounded(.down))
    }
}

/// One word of a normalised text with what its edits weigh.
struct EditToken: Sendable {
    /// The word.
    var text: Substring
    /// Vocabulary id: equal ids are equal words (unique negative ids for words outside the vocabulary).
    var id: Int32
    /// Synonym group, 0 for none.
    var group: Int16
    /// A function word.
    var light: Bool
    /// Holds a digit.
    var number: Bool

    /// `text` with id `id`, classified.
    init(_ text: Substring, id: Int32) {
        self.text = text
        self.id = id
        group = WordClasses.group[text] ?? 0
        light = WordClasses.light.contains(text)
        number = text.utf8.contains { $0 >= 0x30 && $0 <= 0x39 }
    }
}

extension WordEditRule {
    /// The weight of inserting or deleting `token`.
    func indelCost(_ token: EditToken) -> Double {
        token.number ? numberCost : token.light ? lightCost : contentCost
    }

    /// The weight of swapping `a` for `b`.
    func swapCost(_ a: EditToken, _ b: EditToken) -> Double {
        if a.id == b.id { return 0 }
        if a.number || b.number { return numberCost }
        if a.group != 0 && a.group == b.group { return variantCost }
        if a.light && b.light { return lightCost }
        return contentCost
    }

    /// The weighted edit distance from `eval` to `train`, or nil once it exceeds `limit`.
    /// - Complexity: O(|eval| × |train|), stopping at the first row whose every cell exceeds `limit`.
    func distance(_ eval: [EditToken], _ train: [EditToken], limit: Double) -> Double? {
        var previous = [Double](repeating: 0, count: train.count + 1)
        for j in train.indices { previous[j + 1] = previous[j] + indelCost(train[j]) }
        var current = previous
        for i in eval.indices {
            current[0] = previous[0] + indelCost(eval[i])
            var best = current[0]
            for j in train.indices {
                let value = min(previous[j] + swapCost(eval[i], train[j]),
                                previous[j + 1] + indelCost(eval[i]),
                                current[j] + indelCost(train[j]))
                current[j + 1] = value
                best = min(best, value)
            }
            if best > limit + 1e-9 { return nil }
            swap(&previous, &current)
        }
        return previous[train.count] <= limit + 1e-9 ? previous[train.count] : nil
    }
}
