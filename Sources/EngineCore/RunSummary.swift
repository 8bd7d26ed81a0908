/// What the planner needs to know about one recorded run.
public struct RunSummary: Sendable, Equatable {
    /// Run id in the catalog.
    public var runId: Int64
    /// Node name.
    public var node: String
    /// Node key.
    public var key: ContentHash
    /// Kind version when it ran.
    public var kindVersion: Int
    /// Params when it ran, as canonical JSON (parsed only when a definition change must be explained).
    public var canonicalParams: String
    /// Params when it ran.
    public var params: [String: JSONValue] {
        (try? JSONValue.parse(Array(canonicalParams.utf8), file: "catalog"))?.objectValue ?? [:]
    }
    /// Seed when it entered the key.
    public var seed: UInt64?
    /// Input role → artifact hash.
    public var inputs: [String: ContentHash]
    /// Output name → artifact hash.
    public var outputs: [String: ContentHash]
    /// Whether a gate verdict of this run failed with a blocking severity (so everything below is blocked).
    public var gateFailed: Bool

    /// Creates a summary.
    public init(runId: Int64, node: String, key: ContentHash, kindVersion: Int, params: [String: JSONValue], seed: UInt64?,
                inputs: [String: ContentHash], outputs: [String: ContentHash], gateFailed: Bool = false) {
        self.init(runId: runId, node: node, key: key, kindVersion: kindVersion, canonicalParams: JSONValue.object(params).canonical, seed: seed,
                  inputs: inputs, outputs: outputs, gateFailed: gateFailed)
    }

    /// Creates a summary from params already in canonical JSON.
    public init(runId: Int64, node: String, key: ContentHash, kindVersion: Int, canonicalParams: String, seed: UInt64?,
                inputs: [String: ContentHash], outputs: [String: ContentHash], gateFailed: Bool = false) {
        self.runId = runId
        self.node = node
        self.key = key
        self.kindVersion = kindVersion
        self.canonicalParams = canonicalParams
        self.seed = seed
        self.inputs = inputs
        self.outputs = outputs
        self.gateFailed = gateFailed
    }
}
