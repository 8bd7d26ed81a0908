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
        case (.any, _), (.string, .string), (.bool, .bool), (.array, .array), (.object, .object), (.number, .int), (.number, .double), (.integer, .int):
            return true
        case let (.integer, .double(number)):
            return number.rounded() == number
        default:
            return false
        }
    }
}

/// One declared parameter of a stage kind.
public struct ParamSpec: Sendable {
    /// Parameter name as written under `params`.
    public var name: String
    /// Its JSON type.
    public var type: ParamType
    /// Whether a node must supply it.
    public var required: Bool
    /// One line for error messages and help.
    public var summary: String

    /// Creates a parameter declaration.
    public init(_ name: String, _ type: ParamType, required: Bool = false, summary: String = "") {
        self.name = name
        self.type = type
        self.required = required
        self.summary = summary
    }
}

/// One declared input role of a stage kind.
public struct InputSpec: Sendable {
    /// Role name as written under `inputs`.
    public var role: String
    /// Whether a node must supply it.
    public var required: Bool

    /// Creates an input declaration.
    public init(_ role: String, required: Bool = true) {
        self.role = role
        self.required = required
    }
}

/// A node kind: the one protocol through which stages (built-in or from the `Stages` and `Report` modules) plug
/// into the engine, like an llbuild rule supplied through a delegate.
///
/// The engine computes a node's key from `name`, `version`, the canonical params, the input
/// artifact hashes by role and (when `usesRandomness`) the pipeline seed. `run` is called only when
/// that key has no stored result; it reads `context.inputs` and must write every declared output
/// (a file or a directory) at `context.outputs[name]`, a temporary path the engine later moves
/// into the content store. Throwing (or leaving an output missing) fails the node and registers nothing.
public protocol StageKind: Sendable {
    /// The kind name used in `pipeline.json` (`"kind": "sft"`).
    var name: String { get }
    /// Implementation version; bumping it makes every earlier result of this kind stale.
    var version: Int { get }
    /// Declared parameters; validation checks presence and JSON types.
    var params: [ParamSpec] { get }
    /// Whether params not listed in `params` are allowed.
    var acceptsExtraParams: Bool { get }
    /// Declared input roles, or nil when any role names are accepted.
    var inputs: [InputSpec]? { get }
    /// Declared output names, or nil when the node lists its own under `outputs`.
    var outputs: [String]? { get }
    /// Whether the pipeline seed enters the node key.
    var usesRandomness: Bool { get }
    /// Whether the node sees `context.catalog` (its upstream nodes' runs); the view's `keyFacts` then enter the node key.
    var readsCatalog: Bool { get }
    /// Where output `output` of node `node` is materialised when the node does not say (`outputs`).
    func defaultPath(output: String, node: String, experiment: String) -> String
    /// Produces the outputs; see the protocol comment for the contract.
    func run(_ context: StageContext) throws
}

extension StageKind {
    /// Extra params are refused by default.
    public var acceptsExtraParams: Bool { false }
    /// Stages are deterministic unless they say otherwise.
    public var usesRandomness: Bool { false }
    /// Stages see only their inputs unless they say otherwise.
    public var readsCatalog: Bool { false }
    /// `experiments/<experiment>/data/<node>/<output>`.
    public func defaultPath(output: String, node: String, experiment: String) -> String {
        "experiments/\(experiment)/data/\(node)/\(output)"
    }
}
