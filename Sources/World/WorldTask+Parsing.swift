extension WorldTask {
    /// Recovers the task from prompt text alone; case, spacing and end punctuation do not matter.
    ///
    /// A prompt embedded in longer text (e.g. "quick one: reverse the word cat. thanks") is found
    /// too, when it starts at a word boundary and ends at a sentence boundary.
    /// - Throws: `WorldError.unparseablePrompt` when no template of any family matches.
    public init(parsing prompt: String) throws {
        let text = Array(PromptTemplate.normalizeForMatching(prompt))
        if let task = WorldTask.matchWhole(text) {
            self = task
            return
        }
        if text.count <= WorldTask.maxEmbeddingSearch {
            let starts = [0] + text.indices.filter { $0 > 0 && text[$0 - 1] == " " }
            let ends = text.indices.filter { [".", "?", "!"].contains(text[$0]) } + [text.count]
            for start in starts {
                for end in ends where end > start {
                    let piece = Array(PromptTemplate.normalizeForMatching(String(text[start..<end])))
                    if let task = WorldTask.matchWhole(piece) {
                        self = task
                        return
                    }
                }
            }
        }
        throw WorldError.unparseablePrompt(prompt)
    }

    /// Longest prompt (in characters) searched for an embedded task; longer text must match whole.
    static let maxEmbeddingSearch = 256

    /// Matches normalised text against every template of every family; the first valid match wins.
    private static func matchWhole(_ text: [Character]) -> WorldTask? {
        guard !text.isEmpty else { return nil }
        for family in TaskFamily.allCases {
            for (index, template) in family.templates.enumerated() {
                guard let slots = template.match(text) else { continue }
                let task = WorldTask(family: family, template: index, slots: slots)
                if task.isValid { return task }
            }
        }
        return nil
    }

    /// Family-specific checks a template match alone cannot make (e.g. a unique odd option).
    var isValid: Bool {
        switch family {
        case .count: return !word.isEmpty && slots["c"]?.count == 1
        case .repeat: return (1...9).contains(number("n")) && !word.isEmpty
        case .oddOneOut: return WorldTask.oddOption(in: options) != nil
        case .add, .larger: return slots["a"] != nil && slots["b"] != nil
        default: return true
        }
    }
}
