/// The JSON type a parameter must have; validation checks it before anything runs.
public enum ParamType: String, Sendable, Codable {
    /// A JSON string.
    case string
    /// A JSON number without fraction (or an integral number).
    case integer
    /// Any JSON number.
    case number
    /// `true` or `false`.
    case bool
    /// A JSON array.
    case array
    /// A JSON object.
    case object
    /// Any JSON value.
    case any

    /// Whether `value` has this type.
    public func accepts(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.any, _), (.string, .string), (.bool, .bool), (.array, .array), (.object, .object), (.number, .int), (.number, .double):
            return true
        case (.integer, _):
            return value.intValue != nil
        default:
            return false
        }
    }
}

/// What a param is when a node does not set it.
public enum ParamDefault: Sendable, Equatable {
    /// No default: the param is off (or required) unless given.
    case none
    /// This value.
    case value(JSONValue)
    /// Computed when the node runs from other params or the inputs; the text says how.
    case derived(String)
}

/// One declared parameter of a stage kind: type, default, range, allowed values and a summary.
///
/// The engine checks every declared constraint at load, so a bad value is reported with its JSON
/// path before anything runs; stages decode the same declaration at run time.
public struct ParamSpec: Sendable {
    /// Parameter name as written under `params`.
    public var name: String
    /// Its JSON type.
    public var type: ParamType
    /// Whether a node must supply it.
    public var required: Bool
    /// One line for error messages and `rlhf kinds`.
    public var summary: String
    /// The value used when the node does not set it.
    public var defaultValue: ParamDefault
    /// Bounds of a number or integer (or of each element of an array of numbers).
    public var range: ClosedRange<Double>?
    /// The values a string (or each element of an array of strings) may take.
    public var allowed: [String]?
    /// The type of each element of an array.
    public var elements: ParamType?
    /// Whether an array must hold at least one element.
    public var nonEmpty: Bool
    /// The keys an object may hold, each declared like a param (nil: any keys).
    public var fields: [ParamSpec]?

    /// Creates a parameter declaration.
    public init(_ name: String, _ type: ParamType, required: Bool = false, default defaultValue: ParamDefault = .none,
                range: ClosedRange<Double>? = nil, allowed: [String]? = nil, elements: ParamType? = nil, nonEmpty: Bool = false,
                fields: [ParamSpec]? = nil, summary: String = "") {
        self.name = name
        self.type = type
        self.required = required
        self.summary = summary
        self.defaultValue = defaultValue
        self.range = range
        self.allowed = allowed
        self.elements = elements
        self.nonEmpty = nonEmpty
        self.fields = fields
    }
}

/// A rule across several params (or params and input roles) of one node, such as
/// "`kl_target` only with `kl_control` adaptive". Stages supply the check; the engine runs it at load.
public struct ParamRule: Sendable {
    /// One line stating the rule, for `rlhf kinds`.
    public var summary: String
    /// The problems of a node with these params and input roles; paths are relative to the node (`params.kl_target`, `inputs`).
    public var check: @Sendable (_ params: [String: JSONValue], _ inputRoles: Set<String>) -> [ValidationIssue]

    /// Creates a rule.
    public init(_ summary: String, check: @escaping @Sendable (_ params: [String: JSONValue], _ inputRoles: Set<String>) -> [ValidationIssue]) {
        self.summary = summary
        self.check = check
    }
}
