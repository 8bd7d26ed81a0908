import EngineCore

/// The JSONL formats a gate can check.
enum DataFormat: String, CaseIterable, Sendable {
    /// `{"prompt","response"}` or chat `{"messages":[...]}`.
    case sft
    /// `{"prompt","chosen","rejected"}`.
    case preferences
    /// `{"prompt"}` (PPO and eval prompts).
    case prompts

    /// The format of input `role`: `params.formats[role]` when given, else guessed from the role name.
    static func of(role: String, params: GateParams) throws -> DataFormat {
        if let raw = params.values["formats"]?.objectValue?[role] {
            guard let name = raw.stringValue, let format = DataFormat(rawValue: name) else {
                throw params.invalid("formats.\(role)", "must be \"sft\", \"preferences\" or \"prompts\", got \(raw.canonical)")
            }
            return format
        }
        let name = role.lowercased()
        if name.hasPrefix("sft") { return .sft }
        if name.hasPrefix("pref") { return .preferences }
        if name.hasPrefix("prompt") || name.hasPrefix("eval") || name.hasPrefix("ppo") { return .prompts }
        throw GateError.unknownFormat(node: params.node, role: role)
    }
}
