import EngineCore

extension RecordFormat {
    /// The `formats` param: input role → format, for roles whose name does not say it.
    static let formats = Param.object("formats", fields: nil,
                                      "input role → \"sft\" | \"preferences\" | \"prompts\" | \"labels\" when the role name does not say")

    /// The format of a gate's input `role`: `params.formats[role]` when given, else guessed from the role name
    /// (sft…; pref…; prompt…, eval…, ppo…; label…).
    static func of(role: String, params: Params) throws -> RecordFormat {
        if let raw = try params.value(formats)[role] {
            guard let name = raw.stringValue, let format = RecordFormat(rawValue: name), format != .verdicts else {
                throw params.error(formats, field: role, "must be \"sft\", \"preferences\", \"prompts\" or \"labels\", found \(raw.canonical)")
            }
            return format
        }
        let name = role.lowercased()
        if name.hasPrefix("sft") { return .sft }
        if name.hasPrefix("pref") { return .preferences }
        if name.hasPrefix("prompt") || name.hasPrefix("eval") || name.hasPrefix("ppo") { return .prompts }
        if name.hasPrefix("label") { return .labels }
        throw StagesError.unknownFormat(node: params.node, role: role)
    }

    /// The rule that every input role (except `excluded`) has a known format, checked at load.
    static func rule(excluding excluded: @escaping @Sendable (Params) throws -> Set<String> = { _ in [] }) -> ParamRule {
        .stage("every input role's format is known from its name or params.formats") { params, roles in
            let skipped = try excluded(params)
            for role in try params.value(formats).keys.sorted() where !roles.contains(role) {
                throw params.error(formats, field: role, "names no input of this node; inputs: \(roles.sorted().joined(separator: ", "))")
            }
            for role in roles.sorted() where !skipped.contains(role) && !Node.isGateRole(role) {
                do {
                    _ = try of(role: role, params: params)
                } catch StagesError.unknownFormat {
                    throw params.error(formats, field: role, "is needed: the role name '\(role)' does not say its format; "
                        + "set params.formats.\(role) to \"sft\", \"preferences\", \"prompts\" or \"labels\" or rename the role")
                }
            }
        }
    }
}
