/// Every detail of one run (`rlhf show`).
public struct RunDetail: Codable, Sendable {
    /// One consumed artifact.
    public struct Input: Codable, Sendable {
        /// Role.
        public var role: String
        /// Artifact hash.
        public var artifact: String
        /// Workspace path.
        public var path: String
        /// Upstream node.
        public var upstreamNode: String
        /// Upstream run.
        public var upstreamRun: Int64?

        /// Creates an entry.
        public init(role: String, artifact: String, path: String, upstreamNode: String, upstreamRun: Int64?) {
            self.role = role
            self.artifact = artifact
            self.path = path
            self.upstreamNode = upstreamNode
            self.upstreamRun = upstreamRun
        }
    }

    /// One produced artifact.
    public struct Output: Codable, Sendable {
        /// Output name.
        public var name: String
        /// Artifact hash.
        public var artifact: String
        /// Workspace path.
        public var path: String
        /// Size in bytes.
        public var size: Int64

        /// Creates an entry.
        public init(name: String, artifact: String, path: String, size: Int64) {
            self.name = name
            self.artifact = artifact
            self.path = path
            self.size = size
        }
    }

    /// The run row.
    public var run: RunRecord
    /// Params by name (canonical JSON values).
    public var params: [String: String]
    /// Inputs.
    public var inputs: [Input]
    /// Outputs.
    public var outputs: [Output]
    /// Metrics.
    public var metrics: [MetricPoint]
    /// Gate verdicts.
    public var gates: [GateVerdict]
    /// Failed gates this run was built past (`--allow-failed-gates`).
    public var overrides: [GateOverride]

    /// Creates a detail.
    public init(run: RunRecord, params: [String: String], inputs: [Input], outputs: [Output], metrics: [MetricPoint],
                gates: [GateVerdict], overrides: [GateOverride]) {
        self.run = run
        self.params = params
        self.inputs = inputs
        self.outputs = outputs
        self.metrics = metrics
        self.gates = gates
        self.overrides = overrides
    }
}

/// A row of the catalog's `runs` table: one attempt (or reuse) of a node.
public struct RunRecord: Codable, Equatable, Sendable {
    /// Run id.
    public var id: Int64?
    /// The experiment (pipeline `experiment` name) the run belongs to.
    public var experiment: String
    /// Node name.
    public var node: String
    /// Kind name.
    public var kind: String
    /// Kind implementation version.
    public var kindVersion: Int
    /// Node key (hex).
    public var key: String
    /// Canonical params JSON.
    public var params: String
    /// Seed when it entered the key.
    public var seed: Int64?
    /// `succeeded`, `failed` or `reused`.
    public var status: String
    /// Why it ran (rendered rebuild reason).
    public var reason: String
    /// Start time, seconds since the epoch.
    public var started: Double
    /// End time, seconds since the epoch.
    public var finished: Double
    /// Wall duration in seconds.
    public var duration: Double
    /// Exit status of an external command, if any.
    public var exitCode: Int32?
    /// Last stdout line of an external command.
    public var lastStdout: String?
    /// Last stderr line of an external command.
    public var lastStderr: String?
    /// Error message of a failed run.
    public var error: String?
    /// For a reused run, the run whose outputs were served.
    public var sourceRun: Int64?

    /// Creates a row.
    public init(id: Int64?, experiment: String, node: String, kind: String, kindVersion: Int, key: String, params: String, seed: Int64?,
                status: String, reason: String, started: Double, finished: Double, duration: Double, exitCode: Int32?,
                lastStdout: String?, lastStderr: String?, error: String?, sourceRun: Int64?) {
        self.id = id
        self.experiment = experiment
        self.node = node
        self.kind = kind
        self.kindVersion = kindVersion
        self.key = key
        self.params = params
        self.seed = seed
        self.status = status
        self.reason = reason
        self.started = started
        self.finished = finished
        self.duration = duration
        self.exitCode = exitCode
        self.lastStdout = lastStdout
        self.lastStderr = lastStderr
        self.error = error
        self.sourceRun = sourceRun
    }
}
