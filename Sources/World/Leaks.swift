/// How a leaked eval prompt appears in a training set.
public enum LeakKind: String, Codable, CaseIterable, Sendable {
    /// The eval prompt verbatim.
    case exact
    /// The eval prompt with changed case, spacing and end punctuation (same after normalisation).
    case reworded
    /// The eval prompt inside longer text ("quick question: <prompt> thanks!").
    case embedded
}

/// A training set that can receive leaked eval prompts.
public enum LeakTarget: String, Codable, CaseIterable, Sendable {
    /// SFT demonstrations (the leaked text is the prompt; the response is the gold answer).
    case sft
    /// Prompts offered to the preference stage.
    case preference
    /// PPO prompts.
    case ppo
}

/// One deliberate leak: which eval prompt went where, how, and on which line.
public struct LeakRecord: Codable, Equatable, Sendable {
    /// The id of the leaked eval prompt (e.g. "eval-0007").
    public var evalID: String
    /// The eval prompt text.
    public var evalPrompt: String
    /// How it was copied.
    public var kind: LeakKind
    /// The training set it was copied into.
    public var target: LeakTarget
    /// 1-based line of the training file holding it.
    public var line: Int
    /// The training text as written.
    public var text: String

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case evalID = "eval_id", evalPrompt = "eval_prompt", kind, target, line, text
    }
}
