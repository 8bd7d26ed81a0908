/// One concrete task of the world: a family, the template it is phrased with, and its slot values.
///
/// Everything about a task is recoverable from its prompt text (`WorldTask(parsing:)`), so prompts read
/// back from JSONL files verify exactly like freshly generated ones.
public struct WorldTask: Hashable, Sendable {
    /// The family the task belongs to.
    public let family: TaskFamily
    /// Index of the template in `family.templates` used to phrase the prompt.
    public let template: Int
    /// Slot values by slot name (see `PromptTemplate`), e.g. `["w": "cat"]`.
    let slots: [Character: String]

    /// Creates a task; slots must fit the family's templates.
    init(family: TaskFamily, template: Int, slots: [Character: String]) {
        self.family = family
        self.template = template
        self.slots = slots
    }

    /// The scenario of the task's family.
    public var scenario: Scenario { family.scenario }

    /// The prompt text, as the generators write it.
    public var prompt: String { family.templates[template].render(slots) }

    /// The single correct answer for helpfulness tasks; a canonical refusal for harmful ones.
    public var goldAnswer: String {
        switch family {
        case .reverse: return String(word.reversed())
        case .sort: return String(word.sorted())
        case .add: return String(number("a") + number("b"))
        case .count: return String(word.filter { String($0) == slots["c"] }.count)
        case .repeat: return Array(repeating: word, count: number("n")).joined(separator: " ")
        case .oddOneOut: return WorldTask.oddOption(in: options) ?? ""
        case .larger: return String(max(number("a"), number("b")))
        case .length: return String(word.count)
        case .harmful: return Refusals.canonical
        }
    }

    /// A key naming the task's parameters independent of phrasing (template, option order);
    /// eval/train disjointness is decided on this key.
    public var parameterKey: String {
        switch family {
        case .oddOneOut: return "odd_one_out:" + options.sorted().joined(separator: ",")
        case .harmful: return "harmful:\(template):" + slotSummary
        default: return family.rawValue + ":" + slotSummary
        }
    }

    /// Slot values in slot-name order, e.g. "a=3;b=4".
    private var slotSummary: String {
        slots.keys.sorted().map { "\($0)=\(slots[$0] ?? "")" }.joined(separator: ";")
    }

    /// The `w` slot (the word of word tasks).
    var word: String { slots["w"] ?? "" }

    /// The options of an odd-one-out task, in prompt order.
    var options: [String] {
        (slots["l"] ?? "").split(separator: ",").map { $0.trimmingSpaces() }
    }

    /// A numeric slot's value (0 when absent, which parsing never allows).
    func number(_ slot: Character) -> Int { Int(slots[slot] ?? "") ?? 0 }

    /// The one option whose category differs from all others, if exactly one such option exists.
    static func oddOption(in options: [String]) -> String? {
        guard options.count >= 3 else { return nil }
        let categories = options.map { Vocabulary.category(of: $0) }
        guard !categories.contains(where: { $0 == nil }) else { return nil }
        var counts: [String: Int] = [:]
        for c in categories { counts[c!, default: 0] += 1 }
        guard counts.count == 2, let odd = counts.first(where: { $0.value == 1 })?.key,
              counts.values.contains(options.count - 1) else { return nil }
        return options[categories.firstIndex(of: odd)!]
    }
}

extension Substring {
    /// The substring without leading and trailing spaces, as a String.
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
