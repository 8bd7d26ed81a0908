import EngineCore
import Foundation
import GRDB

/// A finished run ready to be recorded in one transaction.
struct FinishedRun {
    /// One consumed artifact.
    struct Input {
        /// Role name.
        var role: String
        /// Upstream node and output.
        var source: OutputRef
        /// Upstream output's workspace path.
        var path: String
        /// Content hash.
        var hash: ContentHash
        /// The upstream run that produced or served it.
        var upstreamRun: Int64?
    }

    /// One produced artifact.
    struct Output {
        /// Output name.
        var name: String
        /// Workspace path.
        var path: String
        /// Content hash.
        var hash: ContentHash
        /// Size in bytes.
        var size: Int64
        /// Whether it is a directory.
        var isDirectory: Bool
        /// Whether it lives in the content store.
        var stored: Bool
    }

    /// The run row (id assigned on insert).
    var run: RunRecord
    /// Consumed artifacts.
    var inputs: [Input]
    /// Produced artifacts (empty for a failed run).
    var outputs: [Output]
    /// Params to record one per row.
    var params: [String: JSONValue]
    /// Metric points.
    var metrics: [MetricPoint]
    /// Gate verdicts.
    var verdicts: [GateVerdict]
    /// Whether this run becomes the node's head.
    var becomesHead: Bool
    /// Failed gates this run was built past (`--allow-failed-gates`).
    var overrides: [GateOverride] = []
}

extension Catalog {
    /// Records a finished run, its edges, params, metrics, verdicts and stat-cache updates in one transaction.
    @discardableResult
    func record(_ finished: FinishedRun, statCache: [String: FileHasher.CacheEntry]) throws -> Int64 {
        try write { db in
            var run = finished.run
            try run.insert(db)
            let runId = run.id!
            for input in finished.inputs {
                let artifactId = try Self.artifactId(db, hash: input.hash, node: input.source.node, output: input.source.output, path: input.path)
                try RunInputRecord(runId: runId, role: input.role, artifactId: artifactId, upstreamNode: input.source.node, upstreamRun: input.upstreamRun).insert(db)
            }
            for output in finished.outputs {
                var artifact = ArtifactRecord(id: nil, hash: output.hash.hex, size: output.size, path: output.path, node: run.node, output: output.name,
                                              isDirectory: output.isDirectory, stored: output.stored)
                try artifact.insert(db, onConflict: .ignore)
                let artifactId = try Self.artifactId(db, hash: output.hash, node: run.node, output: output.name, path: output.path)
                try RunOutputRecord(runId: runId, name: output.name, artifactId: artifactId).insert(db)
            }
            for (name, value) in finished.params {
                try RunParamRecord(runId: runId, name: name, value: value.canonical).insert(db)
            }
            for point in finished.metrics {
                try MetricRecord(runId: runId, name: point.name, step: point.step, value: point.value).insert(db)
            }
            for verdict in finished.verdicts {
                try GateResultRecord(runId: runId, node: run.node, gate: verdict.gate, status: verdict.status.rawValue, severity: verdict.severity, message: verdict.message).insert(db)
            }
            try Self.insert(db, overrides: finished.overrides, run: runId)
            if finished.becomesHead {
                try HeadRecord(experiment: run.experiment, node: run.node, runId: runId).insert(db, onConflict: .replace)
            }
            try Self.saveStatCache(db, statCache)
            return runId
        }
    }

    /// Persists stat-cache entries on their own.
    func saveStatCache(_ entries: [String: FileHasher.CacheEntry]) throws {
        guard !entries.isEmpty else { return }
        try write { db in try Self.saveStatCache(db, entries) }
    }

    private static func saveStatCache(_ db: Database, _ entries: [String: FileHasher.CacheEntry]) throws {
        for (path, entry) in entries {
            try StatCacheRecord(path: path, size: entry.fingerprint.size, mtimeNs: entry.fingerprint.mtimeNs, inode: entry.fingerprint.inode,
                                ctimeNs: entry.fingerprint.ctimeNs, hash: entry.hash.hex).save(db)
        }
    }

    /// The whole stat cache, keyed by absolute path.
    func loadStatCache() throws -> [String: FileHasher.CacheEntry] {
        try read { db in
            var cache: [String: FileHasher.CacheEntry] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT path, size, mtimeNs, inode, ctimeNs, hash FROM stat_cache")
            while let row = try rows.next() {
                guard let hash = ContentHash(hex: row[5]) else { continue }
                cache[row[0]] = FileHasher.CacheEntry(fingerprint: FileFingerprint(size: row[1], mtimeNs: row[2], inode: row[3], ctimeNs: row[4]), hash: hash)
            }
            return cache
        }
    }

    private static func artifactId(_ db: Database, hash: ContentHash, node: String, output: String, path: String) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM artifacts WHERE hash = ? AND node = ? AND output = ? AND path = ?", arguments: [hash.hex, node, output, path]) {
            return id
        }
        var artifact = ArtifactRecord(id: nil, hash: hash.hex, size: 0, path: path, node: node, output: output, isDirectory: false, stored: false)
        try artifact.insert(db)
        return artifact.id!
    }

    /// The current head run of every node of `experiment` that has one.
    public func heads(experiment: String) throws -> [String: RunSummary] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT runs.id, runs.node, runs.key, runs.kindVersion, runs.params, runs.seed FROM runs JOIN heads ON heads.runId = runs.id
                WHERE heads.experiment = ?
                """, arguments: [experiment])
            return try Dictionary(uniqueKeysWithValues: Self.summaries(db, rows).map { ($0.node, $0) })
        }
    }

    /// Successful runs (or reuses) with `key`, newest first.
    public func runs(withKey key: ContentHash) throws -> [RunSummary] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, node, key, kindVersion, params, seed FROM runs WHERE key = ? AND status NOT IN ('failed', 'forgotten') ORDER BY id DESC", arguments: [key.hex])
            return try Self.summaries(db, rows)
        }
    }

    /// Summaries of runs given as rows of (id, node, key, kindVersion, params, seed).
    private static func summaries(_ db: Database, _ runs: [Row]) throws -> [RunSummary] {
        guard !runs.isEmpty else { return [] }
        let ids: [Int64] = runs.map { $0[0] }
        let list = ids.map(String.init).joined(separator: ",")
        var inputs: [Int64: [String: ContentHash]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT run_inputs.runId, run_inputs.role, artifacts.hash FROM run_inputs JOIN artifacts ON artifacts.id = run_inputs.artifactId WHERE run_inputs.runId IN (\(list))") {
            inputs[row[0], default: [:]][row[1]] = ContentHash(hex: row[2])
        }
        var outputs: [Int64: [String: ContentHash]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT run_outputs.runId, run_outputs.name, artifacts.hash FROM run_outputs JOIN artifacts ON artifacts.id = run_outputs.artifactId WHERE run_outputs.runId IN (\(list))") {
            outputs[row[0], default: [:]][row[1]] = ContentHash(hex: row[2])
        }
        let failedGates = Set(try Int64.fetchAll(db, sql: "SELECT runId FROM gate_results WHERE status = 'fail' AND lower(severity) != 'warn' AND runId IN (\(list))"))
        return runs.compactMap { row in
            let id: Int64 = row[0]
            let text: String = row[4]
            let seed: Int64? = row[5]
            guard let key = ContentHash(hex: row[2]) else { return nil }
            return RunSummary(runId: id, node: row[1], key: key, kindVersion: row[3], canonicalParams: text, seed: seed.map { UInt64(bitPattern: $0) },
                              inputs: inputs[id] ?? [:], outputs: outputs[id] ?? [:], gateFailed: failedGates.contains(id))
        }
    }
}

extension Catalog {
    /// Forgets every run whose outputs include artifact `hash`: they stop being heads and are
    /// marked `forgotten` with `reason`, so no build serves them again. Returns their ids.
    func forgetRuns(producing hash: ContentHash, because reason: String) throws -> [Int64] {
        try write { db in
            let ids = try Int64.fetchAll(db, sql: """
                SELECT DISTINCT run_outputs.runId FROM run_outputs JOIN artifacts ON artifacts.id = run_outputs.artifactId
                WHERE artifacts.hash = ? AND artifacts.stored ORDER BY run_outputs.runId
                """, arguments: [hash.hex])
            guard !ids.isEmpty else { return [] }
            let list = ids.map(String.init).joined(separator: ",")
            try db.execute(sql: "DELETE FROM heads WHERE runId IN (\(list))")
            try db.execute(sql: "UPDATE runs SET status = 'forgotten', error = ? WHERE id IN (\(list))", arguments: [reason])
            return ids
        }
    }
}

extension Catalog {
    /// Per node of `experiment` whose newest run failed: that run and its error.
    func lastFailures(experiment: String) throws -> [String: RunFailure] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT runs.node, runs.id, runs.error FROM runs
                JOIN (SELECT node, max(id) AS last FROM runs WHERE experiment = ? GROUP BY node) newest ON newest.last = runs.id
                WHERE runs.status = 'failed'
                """, arguments: [experiment])
            var result: [String: RunFailure] = [:]
            for row in rows {
                let error: String? = row[2]
                result[row[0]] = RunFailure(runId: row[1], error: error ?? "failed")
            }
            return result
        }
    }
}
