import EngineCore

extension RecordFormat {
    /// The format of a gate's input `role`: `params.formats[role]` when given, else guessed from the role name.
    static func of(role: String, params: GateParams) throws -> RecordFormat {
        if let raw = params.values["formats"]?.objectValue?[role] {
            guard let name = raw.stringValue, let format = RecordFormat(rawValue: name) else {
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
