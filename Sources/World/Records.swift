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

/// One preference pair: `{"prompt","chosen","rejected","reason"?,"source"?,"margin"?}`.
public struct PreferenceRecord: Encodable, Equatable, Hashable, Sendable {
    /// The prompt both responses answer .
    public var prompt: String
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

    /// Creates a preference pair.
    public init(prompt: String, chosen: String, rejected: String, reason: String? = nil, source: String? = nil,
                margin: Double? = nil) {
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.reason = reason
        self.source = source
        self.margin = margin
    }
}

/// One prompt for PPO or evaluation: `{"prompt","id"?,"scenario"?,"family"?}`.
public struct PromptRecord: Encodable, Equatable, Hashable, Sendable {
    /// The prompt text.
    public var prompt: String
    /// A stable identifier (e.g. "eval-0007"), if any.
    public var id: String?
    /// A scenario name such as the world's "helpfulness" or "safety", if known.
    public var scenario: String?
    /// The task family name, if known.
    public var family: String?

    /// Creates a prompt record.
    public init(prompt: String, id: String? = nil, scenario: String? = nil, family: String? = nil) {
        self.prompt = prompt
        self.id = id
        self.scenario = scenario
        self.family = family
    }
}
