import EngineCore
import GRDB

/// A remote run the driver is about to submit or has submitted: recorded before submission, so a driver
/// killed with -9 can re-attach to the job instead of submitting it again. Removed once the run is recorded
/// or cancelled. Only the driver (holding the workspace lock) writes these rows.
struct PendingRemoteRun: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    /// The table name.
    static let databaseTableName = "remote_runs"
    /// Node key (hex): one pending remote run per key.
    var key: String
    /// Experiment of the node.
    var experiment: String
    /// Node name.
    var node: String
    /// Backend name (`slurm`, `ray`).
    var backend: String
    /// 1 for the first submission; an infrastructure failure resubmits with the next attempt.
    var attempt: Int
    /// The scheduler's job id once `submit` returned (nil between the record and the submission).
    var jobId: String?
    /// The run directory (spec, result, logs) on the shared file system.
    var runDirectory: String
    /// When the job was submitted (seconds since 1970).
    var submitted: Double
    /// The run's id in the content cache (`runs/<id>/` holds its spec and result) for a worker without the driver's
    /// file system; nil with a shared file system.
    var cacheRun: String? = nil
}

extension Catalog {
    /// Inserts or replaces the pending run for its key.
    func save(pending: PendingRemoteRun) throws {
        try write { db in try pending.save(db) }
    }

    /// The pending remote run of node key `key`, if any.
    func pendingRemoteRun(key: String) throws -> PendingRemoteRun? {
        try read { db in try PendingRemoteRun.fetchOne(db, key: key) }
    }

    /// Every pending remote run.
    func pendingRemoteRuns() throws -> [PendingRemoteRun] {
        try read { db in try PendingRemoteRun.fetchAll(db) }
    }

    /// Forgets the pending run of `key` (recorded, failed or cancelled).
    func removePendingRemoteRun(key: String) throws {
        try write { db in _ = try PendingRemoteRun.deleteOne(db, key: key) }
    }
}
