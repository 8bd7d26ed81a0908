import EngineCore
import Foundation
import GRDB

/// The SQLite catalog (`.rlhf/catalog.sqlite`, WAL): runs, artifacts, lineage edges, params,
/// metrics, gate results and the stat cache. Schema changes only through named migrations.
public final class Catalog: @unchecked Sendable {
    /// The database connection (one serialized connection in WAL mode: cheap to open for a no-op build).
    let database: DatabaseQueue
    /// The catalog file.
    public let path: String
    /// Whether it was opened read-only (nothing can be recorded).
    public let isReadOnly: Bool

    /// Opens (creating and migrating) the catalog at `path`; with `readOnly`, opens it without
    /// writing anything (in a read-only workspace: from a private copy when SQLite cannot read the
    /// WAL database in place). A corrupt file gives an error that names it and says what to do.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        isReadOnly = readOnly
        do {
            if readOnly {
                database = try Self.openReadOnly(path: path)
            } else {
                var configuration = Configuration()
                configuration.busyMode = .timeout(5)
                configuration.journalMode = .wal
                database = try DatabaseQueue(path: path, configuration: configuration)
                let migrator = Self.migrator
                if try !database.read(migrator.hasCompletedMigrations) { try migrator.migrate(database) }
            }
        } catch let error as DatabaseError {
            throw Self.describe(error, path: path)
        }
    }

    private static func openReadOnly(path: String) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else {
            let empty = try DatabaseQueue()
            try migrator.migrate(empty)
            return empty
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        if let queue = try? DatabaseQueue(path: path, configuration: configuration), (try? queue.read(migrator.hasCompletedMigrations)) != nil {
            return queue
        }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-catalog-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.copyItem(atPath: path + suffix, toPath: copy + "/catalog.sqlite" + suffix)
        }
        let queue = try DatabaseQueue(path: copy + "/catalog.sqlite")
        try? FileManager.default.removeItem(atPath: copy)
        return queue
    }

    /// A catalog error naming the file; a corrupt file also says how to recover.
    static func describe(_ error: DatabaseError, path: String) -> EngineError {
        let message = error.message ?? error.description
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return .catalog("\(path) is corrupt (\(message)). Move it aside (`mv \(path) \(path).corrupt`) and build again to start a new, "
                + "empty catalog (run history and lineage are then lost; outputs are rebuilt or reused from the store), or restore it from a backup")
        case .SQLITE_READONLY, .SQLITE_CANTOPEN:
            return .catalog("\(path): \(message); the workspace looks read-only: `status`, `runs`, `show`, `trace`, `verify` and `report` work there, `build` needs write access")
        default:
            return .catalog("\(path): \(message)")
        }
    }

    /// Runs `body` in a read transaction, mapping database errors.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try database.read(body) } catch let error as DatabaseError { throw Self.describe(error, path: path) }
    }

    /// Runs `body` in one write transaction, mapping database errors.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        guard !isReadOnly else { throw EngineError.catalog("\(path) is open read-only; nothing can be recorded") }
        do { return try database.write(body) } catch let error as DatabaseError { throw Self.describe(error, path: path) }
    }

    /// The named migrations, oldest first.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial-schema") { db in
            try db.create(table: "runs") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("node", .text).notNull().indexed()
                table.column("kind", .text).notNull()
                table.column("kindVersion", .integer).notNull()
                table.column("key", .text).notNull().indexed()
                table.column("params", .text).notNull()
                table.column("seed", .integer)
                table.column("status", .text).notNull()
                table.column("reason", .text).notNull()
                table.column("started", .double).notNull()
                table.column("finished", .double).notNull()
                table.column("duration", .double).notNull()
                table.column("exitCode", .integer)
                table.column("lastStdout", .text)
                table.column("lastStderr", .text)
                table.column("error", .text)
                table.column("sourceRun", .integer).references("runs")
            }
            try db.create(table: "artifacts") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("hash", .text).notNull().indexed()
                table.column("size", .integer).notNull()
                table.column("path", .text).notNull().indexed()
                table.column("node", .text).notNull()
                table.column("output", .text).notNull()
                table.column("isDirectory", .boolean).notNull()
                table.column("stored", .boolean).notNull()
                table.uniqueKey(["hash", "node", "output", "path"])
            }
            try db.create(table: "run_inputs") { table in
                table.column("runId", .integer).notNull().references("runs", onDelete: .cascade)
                table.column("role", .text).notNull()
                table.column("artifactId", .integer).notNull().references("artifacts").indexed()
                table.column("upstreamNode", .text).notNull()
                table.column("upstreamRun", .integer)
                table.primaryKey(["runId", "role"])
            }
            try db.create(table: "run_outputs") { table in
                table.column("runId", .integer).notNull().references("runs", onDelete: .cascade)
                table.column("name", .text).notNull()
                table.column("artifactId", .integer).notNull().references("artifacts").indexed()
                table.primaryKey(["runId", "name"])
            }
            try db.create(table: "run_params") { table in
                table.column("runId", .integer).notNull().references("runs", onDelete: .cascade)
                table.column("name", .text).notNull()
                table.column("value", .text).notNull()
                table.primaryKey(["runId", "name"])
            }
            try db.create(table: "metrics") { table in
                table.column("runId", .integer).notNull().references("runs", onDelete: .cascade).indexed()
                table.column("name", .text).notNull()
                table.column("step", .integer).notNull()
                table.column("value", .double).notNull()
            }
            try db.create(table: "gate_results") { table in
                table.column("runId", .integer).notNull().references("runs", onDelete: .cascade).indexed()
                table.column("node", .text).notNull()
                table.column("gate", .text).notNull()
                table.column("status", .text).notNull()
                table.column("severity", .text).notNull()
                table.column("message", .text).notNull()
            }
            try db.create(table: "stat_cache") { table in
                table.column("path", .text).primaryKey()
                table.column("size", .integer).notNull()
                table.column("mtimeNs", .integer).notNull()
                table.column("inode", .integer).notNull()
                table.column("hash", .text).notNull()
            }
            try db.create(table: "heads") { table in
                table.column("node", .text).primaryKey()
                table.column("runId", .integer).notNull().references("runs")
            }
        }
        migrator.registerMigration("v2-gate-overrides") { db in
            try db.create(table: "gate_overrides") { table in
                table.column("runId", .integer).notNull().references("runs", onDelete: .cascade)
                table.column("gateNode", .text).notNull()
                table.column("gateRun", .integer).notNull().references("runs")
                table.column("message", .text).notNull()
                table.primaryKey(["runId", "gateNode"])
            }
        }
        migrator.registerMigration("v3-experiment-scoping") { db in
            try db.alter(table: "runs") { table in
                table.add(column: "experiment", .text).notNull().defaults(to: Catalog.legacyExperiment)
            }
            try db.create(index: "runs_experiment_node", on: "runs", columns: ["experiment", "node"])
            try db.create(table: "experiment_heads") { table in
                table.column("experiment", .text).notNull()
                table.column("node", .text).notNull()
                table.column("runId", .integer).notNull().references("runs")
                table.primaryKey(["experiment", "node"])
            }
            try db.execute(sql: "INSERT INTO experiment_heads (experiment, node, runId) SELECT ?, node, runId FROM heads", arguments: [Catalog.legacyExperiment])
            try db.drop(table: "heads")
            try db.rename(table: "experiment_heads", to: "heads")
        }
        migrator.registerMigration("v4-stat-cache-ctime") { db in
            try db.alter(table: "stat_cache") { table in
                table.add(column: "ctimeNs", .integer).notNull().defaults(to: 0)
            }
        }
        migrator.registerMigration("v5-remote-runs") { db in
            try db.create(table: PendingRemoteRun.databaseTableName) { table in
                table.column("key", .text).primaryKey()
                table.column("experiment", .text).notNull()
                table.column("node", .text).notNull()
                table.column("backend", .text).notNull()
                table.column("attempt", .integer).notNull()
                table.column("jobId", .text)
                table.column("runDirectory", .text).notNull()
                table.column("submitted", .double).notNull()
            }
        }
        migrator.registerMigration("v6-remote-runs-cache") { db in
            try db.alter(table: PendingRemoteRun.databaseTableName) { table in
                table.add(column: "cacheRun", .text)
            }
        }
        return migrator
    }

    /// The experiment name given to runs recorded before runs were scoped by experiment.
    public static let legacyExperiment = ""
}
