import EngineCore
import GRDB

/// `RunRecord` as a row of `runs`.
extension RunRecord: FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "runs"

    /// Stores the assigned row id.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A row of `artifacts`: content with a hash, seen at a path as a node's output.
public struct ArtifactRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "artifacts"
    /// Artifact id.
    public var id: Int64?
    /// Content hash (hex).
    public var hash: String
    /// Size in bytes (sum of files for a directory).
    public var size: Int64
    /// Workspace-relative path.
    public var path: String
    /// Producing node.
    public var node: String
    /// Output name on that node.
    public var output: String
    /// Whether it is a directory.
    public var isDirectory: Bool
    /// Whether the content store holds it (sources are not stored).
    public var stored: Bool

    /// Stores the assigned row id.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A row of `run_inputs`: an edge from an artifact into a run.
public struct RunInputRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    /// The table name.
    public static let databaseTableName = "run_inputs"
    /// Consuming run.
    public var runId: Int64
    /// Input role.
    public var role: String
    /// Consumed artifact.
    public var artifactId: Int64
    /// Upstream node.
    public var upstreamNode: String
    /// The upstream run that produced (or served) it.
    public var upstreamRun: Int64?
}

/// A row of `run_outputs`: an edge from a run to an artifact it produced.
public struct RunOutputRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    /// The table name.
    public static let databaseTableName = "run_outputs"
    /// Producing run.
    public var runId: Int64
    /// Output name.
    public var name: String
    /// Produced artifact.
    public var artifactId: Int64
}

/// A row of `run_params`: one param value of a run.
public struct RunParamRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    /// The table name.
    public static let databaseTableName = "run_params"
    /// The run.
    public var runId: Int64
    /// Param name.
    public var name: String
    /// Canonical JSON value.
    public var value: String
}

/// A row of `metrics`.
public struct MetricRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    /// The table name.
    public static let databaseTableName = "metrics"
    /// The run.
    public var runId: Int64
    /// Metric name.
    public var name: String
    /// Step.
    public var step: Int
    /// Value.
    public var value: Double
}

/// A row of `gate_results`.
public struct GateResultRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    /// The table name.
    public static let databaseTableName = "gate_results"
    /// The run.
    public var runId: Int64
    /// Node name.
    public var node: String
    /// Gate name.
    public var gate: String
    /// `pass`, `warn` or `fail`.
    public var status: String
    /// Severity label.
    public var severity: String
    /// Explanation.
    public var message: String
}

/// A row of `stat_cache`: a file's fingerprint and content hash.
struct StatCacheRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    /// The table name.
    static let databaseTableName = "stat_cache"
    /// Absolute path.
    var path: String
    /// Size in bytes.
    var size: Int64
    /// Modification time, ns.
    var mtimeNs: Int64
    /// Inode.
    var inode: Int64
    /// Status-change time, ns (0 for entries recorded before v4).
    var ctimeNs: Int64
    /// Hash (hex).
    var hash: String
}

/// A row of `heads`: the run whose outputs a node's declared paths currently hold, per experiment.
struct HeadRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    /// The table name.
    static let databaseTableName = "heads"
    /// Experiment name.
    var experiment: String
    /// Node name.
    var node: String
    /// Current run.
    var runId: Int64
}
