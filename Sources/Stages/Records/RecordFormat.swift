/// The dataset formats a record file can be read as (Hugging Face TRL's conventions).
public enum RecordFormat: String, CaseIterable, Sendable {
    /// Demonstrations: prompt/response, prompt/completion, messages, or text.
    case sft
    /// Preference pairs: prompt/chosen/rejected, or chosen/rejected conversations with an implicit prompt.
    case preferences
    /// Prompts for sampling (PPO, preference sampling, evaluation).
    case prompts
    /// Human verdicts on given pairs (the labels judge).
    case labels
    /// A command judge's answers.
    case verdicts

    /// The name used in messages ("SFT", "preference", "prompt").
    public var title: String {
        switch self {
        case .sft: return "SFT"
        case .preferences: return "preference"
        case .prompts: return "prompt"
        case .labels: return "label"
        case .verdicts: return "judge verdict"
        }
    }

    /// The record shapes this format accepts, for error messages.
    public var accepted: String {
        switch self {
        case .sft:
            return #"{"prompt","response"}, {"prompt","completion"} (strings or message lists), "#
                + #"{"messages":[…]} (optional system, several turns, ending with the assistant) or {"text"}"#
        case .preferences:
            return #"{"prompt","chosen","rejected"} (strings or message lists) or {"chosen","rejected"} "#
                + #"conversations sharing their prompt; optional "score_chosen"/"score_rejected" or "margin", "reason", "source""#
        case .prompts:
            return #"{"prompt"} (a string, or a list of one user message); optional "id", "scenario", "family""#
        case .labels:
            return #"{"prompt","response_a","response_b","winner"} with winner "a", "b" or "tie"; optional "reason""#
        case .verdicts:
            return #"{"id","winner"} with winner "a", "b" or "tie"; optional "reason""#
        }
    }
}
