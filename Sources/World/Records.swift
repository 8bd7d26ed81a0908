/// One SFT demonstration: `{"prompt": str, "response": str}`.
public struct SFTRecord: Encodable, Equatable, Hashable, Sendable {
    /// The user's request.
    public var prompt: String
    /// The demonstrated assistant answer.
    public var response: String

    /// Creates a demonstration.
    public init(prompt: String, response: String) {
        self.prompt = prompt
        self.response = response
    }
}

/// What a conversational prompt holds before its final user message: an optional system message and earlier turns.
public struct PromptContext: Equatable, Hashable, Sendable {
    /// The system message, if any.
    public var system: String?
    /// Earlier turns before the final user message, alternating user and assistant from user (so an even count).
    public var turns: [String]

    /// A context; `PromptContext()` is the empty one of a single-turn prompt.
    public init(system: String? = nil, turns: [String] = []) {
        self.system = system
        self.turns = turns
    }

    /// Whether the prompt is a single user message.
    public var isEmpty: Bool { system == nil && turns.isEmpty }

    /// The whole prompt as `(role, content)` messages: system, the earlier turns, then `user`.
    public func messages(user: String) -> [(role: String, content: String)] {
        (system.map { [("system", $0)] } ?? [])
            + turns.enumerated().map { ($0.offset.isMultiple(of: 2) ? "user" : "assistant", $0.element) }
            + [("user", user)]
    }

    /// The `prompt` field of a record: the user text alone, or, with a context, the TRL conversational message list.
    func encode(user: String, to container: inout KeyedEncodingContainer<RecordKey>) throws {
        guard !isEmpty else { return try container.encode(user, forKey: .prompt) }
        try container.encode(messages(user: user).map { ["role": $0.role, "content": $0.content] }, forKey: .prompt)
    }
}

/// JSON keys of the prompt and preference records.
enum RecordKey: String, CodingKey {
    case prompt, chosen, rejected, reason, source, margin, id, scenario, family
}

/// One preference pair: `{"prompt","chosen","rejected","reason"?,"source"?,"margin"?}`; `prompt` is a message list
/// when the pair has a context.
public struct PreferenceRecord: Encodable, Equatable, Hashable, Sendable {
    /// The final user message both responses answer.
    public var prompt: String
    /// The system message and earlier turns before `prompt` (empty for a single-turn prompt).
    public var context: PromptContext
    /// The preferred response.
    public var chosen: String
    /// The dispreferred response.
    public var rejected: String
    /// Why the annotator chose as it did (human-readable), if recorded.
    public var reason: String?
    /// Where the label came from (e.g. "annotator"), if recorded.
    public var source: String?
    /// How much better chosen is than rejected (`margin`, or `score_chosen − score_rejected`), if given.
    public var margin: Double?

    /// Creates a preference pair (`context`: its system message and earlier turns).
    public init(prompt: String, chosen: String, rejected: String, reason: String? = nil, source: String? = nil,
                margin: Double? = nil, context: PromptContext = PromptContext()) {
        self.context = context
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.reason = reason
        self.source = source
        self.margin = margin
    }

    /// Writes the pair, its prompt as a message list when it has a context.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: RecordKey.self)
        try context.encode(user: prompt, to: &container)
        try container.encode(chosen, forKey: .chosen)
        try container.encode(rejected, forKey: .rejected)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(source, forKey: .source)
        try container.encodeIfPresent(margin, forKey: .margin)
    }
}

/// One prompt for PPO or evaluation: `{"prompt","id"?,"scenario"?,"family"?}`; `prompt` is a message list when the
/// prompt has a context.
public struct PromptRecord: Encodable, Equatable, Hashable, Sendable {
    /// The prompt text: the final user message.
    public var prompt: String
    /// The system message and earlier turns before `prompt` (empty for a single-turn prompt).
    public var context: PromptContext
    /// A stable identifier (e.g. "eval-0007"), if any.
    public var id: String?
    /// A scenario name such as the world's "helpfulness" or "safety", if known.
    public var scenario: String?
    /// The task family name, if known.
    public var family: String?

    /// Creates a prompt record (`context`: its system message and earlier turns).
    public init(prompt: String, id: String? = nil, scenario: String? = nil, family: String? = nil, context: PromptContext = PromptContext()) {
        self.context = context
        self.prompt = prompt
        self.id = id
        self.scenario = scenario
        self.family = family
    }

    /// Writes the prompt, as a message list when it has a context.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: RecordKey.self)
        try context.encode(user: prompt, to: &container)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(scenario, forKey: .scenario)
        try container.encodeIfPresent(family, forKey: .family)
    }
}
