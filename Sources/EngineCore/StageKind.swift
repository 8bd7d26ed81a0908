/// One declared input role of a stage kind.
public struct InputSpec: Sendable {
    /// Role name as written under `inputs`.
    public var role: String
    /// Whether a node must supply it.
    public var required: Bool
    /// What the input must be (e.g. "preferences JSONL", "causal LM checkpoint directory"), for `rlhf kinds`.
    public var format: String

    /// Creates an input declaration.
    public init(_ role: String, required: Bool = true, format: String = "") {
        self.role = role
        self.required = required
        self.format = format
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
    /// Declared parameters; validation checks presence, JSON type, range and allowed values before anything runs.
    var params: [ParamSpec] { get }
    /// Rules across several params (or params and input roles), checked at load once every param passed its own checks.
    var rules: [ParamRule] { get }
    /// One line saying what the kind does, for `rlhf kinds`.
    var summary: String { get }
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
    /// No cross-field rules unless the kind declares some.
    public var rules: [ParamRule] { [] }
    /// No summary unless the kind gives one.
    public var summary: String { "" }
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
