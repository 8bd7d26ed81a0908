/// What a node kind takes and makes, read from its declarations, for `rlhf kinds` (text or JSON).
public struct KindDescription: Encodable, Sendable {
    /// One declared input role.
    public struct Input: Encodable, Sendable {
        /// Role name under `inputs`.
        public var role: String
        /// Whether a node must give it.
        public var required: Bool
        /// What the input must be.
        public var format: String
    }

    /// One declared output.
    public struct Output: Encodable, Sendable {
        /// Output name.
        public var name: String
        /// Where it is materialised unless the node says (`<experiment>` and `<node>` stand for the real names).
        public var defaultPath: String

        /// JSON keys.
        enum CodingKeys: String, CodingKey {
            case name
            case defaultPath = "default_path"
        }
    }

    /// One declared param.
    public struct Param: Encodable, Sendable {
        /// The declaration.
        public var spec: ParamSpec

        /// JSON keys.
        enum CodingKeys: String, CodingKey {
            case name, type, required, summary, minimum, maximum, allowed, elements, fields
            case defaultValue = "default"
            case defaultDerived = "default_derived"
        }

        /// Encodes name, type, constraints, default and summary.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(spec.name, forKey: .name)
            try container.encode(spec.type.rawValue, forKey: .type)
            try container.encode(spec.required, forKey: .required)
            try container.encode(spec.summary, forKey: .summary)
            try container.encodeIfPresent(spec.range?.lowerBound, forKey: .minimum)
            try container.encodeIfPresent(spec.range?.upperBound, forKey: .maximum)
            try container.encodeIfPresent(spec.allowed, forKey: .allowed)
            try container.encodeIfPresent(spec.elements?.rawValue, forKey: .elements)
            try container.encodeIfPresent(spec.fields?.map(Param.init(spec:)), forKey: .fields)
            switch spec.defaultValue {
            case .none: break
            case let .value(value): try container.encode(value, forKey: .defaultValue)
            case let .derived(how): try container.encode(how, forKey: .defaultDerived)
            }
        }
    }

    /// Kind name.
    public var name: String
    /// Implementation version.
    public var version: Int
    /// One line on what it does.
    public var summary: String
    /// Declared inputs, or nil when any role names are accepted.
    public var inputs: [Input]?
    /// Declared outputs, or nil when the node lists its own.
    public var outputs: [Output]?
    /// Declared params.
    public var params: [Param]
    /// Whether params beyond the declared ones are accepted.
    public var acceptsExtraParams: Bool
    /// The cross-field rules, one line each.
    public var rules: [String]
    /// Whether the pipeline seed enters the node key.
    public var usesRandomness: Bool

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case name, version, summary, inputs, outputs, params, rules
        case acceptsExtraParams = "accepts_extra_params"
        case usesRandomness = "uses_randomness"
    }

    /// The description of `kind`.
    public init(_ kind: any StageKind) {
        name = kind.name
        version = kind.version
        summary = kind.summary
        inputs = kind.inputs?.map { Input(role: $0.role, required: $0.required, format: $0.format) }
        outputs = kind.outputs?.map { Output(name: $0, defaultPath: kind.defaultPath(output: $0, node: "<node>", experiment: "<experiment>")) }
        params = kind.params.map(Param.init(spec:))
        acceptsExtraParams = kind.acceptsExtraParams
        rules = kind.rules.map(\.summary)
        usesRandomness = kind.usesRandomness
    }

    /// Several lines for a person: inputs, outputs, params (type and range, default, summary) and rules.
    public var text: String {
        var lines = ["\(name) (version \(version))" + (summary.isEmpty ? "" : ": \(summary)")]
        lines.append("  inputs:" + (inputs == nil ? " any role names" : inputs!.isEmpty ? " none" : ""))
        for input in inputs ?? [] {
            lines.append("    \(Self.pad(input.role, 16)) \(input.required ? "required" : "optional")  \(input.format)")
        }
        lines.append("  outputs:" + (outputs == nil ? " listed by the node under outputs" : ""))
        for output in outputs ?? [] { lines.append("    \(Self.pad(output.name, 16)) \(output.defaultPath)") }
        lines.append("  params:" + (params.isEmpty ? " none" : "") + (acceptsExtraParams ? " (others are passed through)" : ""))
        for param in params {
            lines.append("    \(Self.pad(param.spec.name, 24)) \(param.spec.constraintText); default \(param.spec.defaultText)")
            if !param.spec.summary.isEmpty { lines.append("      \(param.spec.summary)") }
            for field in param.spec.fields ?? [] {
                lines.append("      .\(Self.pad(field.name, 23)) \(field.constraintText); default \(field.defaultText)"
                             + (field.summary.isEmpty ? "" : ": \(field.summary)"))
            }
        }
        if !rules.isEmpty {
            lines.append("  rules:")
            for rule in rules { lines.append("    \(rule)") }
        }
        return lines.joined(separator: "\n")
    }

    /// `text` padded with spaces to `width`.
    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
