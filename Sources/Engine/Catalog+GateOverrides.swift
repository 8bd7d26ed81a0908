import EngineCore
import GRDB

/// A row of `gate_overrides`: run `runId` was built (or accepted) past the failed gate run `gateRun`.
struct GateOverrideRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    /// The table name.
    static let databaseTableName = "gate_overrides"
    /// The run built past the gate.
    var runId: Int64
    /// The overridden gate node.
    var gateNode: String
    /// The gate run whose verdict failed.
    var gateRun: Int64
    /// The gate's failure message(s).
    var message: String
}

extension Catalog {
    /// Records that run `runId` stands past the failed gates in `overrides` (already recorded pairs are kept).
    func record(overrides: [GateOverride], run runId: Int64) throws {
        guard !overrides.isEmpty else { return }
        try write { db in try Self.insert(db, overrides: overrides, run: runId) }
    }

    /// Inserts override rows inside an open transaction.
    static func insert(_ db: Database, overrides: [GateOverride], run runId: Int64) throws {
        for entry in overrides {
            try GateOverrideRecord(runId: runId, gateNode: entry.gateNode, gateRun: entry.gateRun, message: entry.message).insert(db, onConflict: .ignore)
        }
    }

    /// The failed gates run `runId` was built past, by gate node.
    static func overrides(_ db: Database, run runId: Int64) throws -> [GateOverride] {
        try GateOverrideRecord.fetchAll(db, sql: "SELECT * FROM gate_overrides WHERE runId = ? ORDER BY gateNode", arguments: [runId])
            .map { GateOverride(gateNode: $0.gateNode, gateRun: $0.gateRun, message: $0.message) }
    }
}
