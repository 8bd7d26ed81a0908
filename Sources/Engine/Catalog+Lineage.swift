import EngineCore
import Foundation
import GRDB

/// A run as shown by `runs`, `show` and `trace`.
public struct RunInfo: Codable, Sendable, Equatable {
    /// Run id.
    public var id: Int64
    /// Experiment.
    public var experiment: String
    /// Node.
    public var node: String
    /// Kind.
    public var kind: String
    /// Node key.
    public var key: String
    /// `succeeded`, `failed` or `reused`.
    public var status: String
    /// Why it ran.
    public var reason: String
    /// Start, seconds since the epoch.
    public var started: Double
    /// Duration in seconds.
    public var duration: Double
    /// Params (canonical JSON).
    public var params: String
    /// Output name → artifact hash.
    public var outputs: [String: String]
    /// Failed gates this run was built past (`--allow-failed-gates`).
    public var overrides: [GateOverride]
}

/// One consumed artifact in an upstream trace.
public struct TraceInput: Codable, Sendable {
    /// Input role.
    public var role: String
    /// Artifact hash.
    public var artifact: String
    /// Workspace path of the artifact.
    public var path: String
    /// The run that produced it, traced further up.
    public var producer: TraceTree?
}

/// The upstream lineage of a run: its inputs and, recursively, the runs that produced them.
public final class TraceTree: Codable, @unchecked Sendable {
    /// The run.
    public let run: RunInfo
    /// Its inputs.
    public let inputs: [TraceInput]

    /// Creates a tree node.
    init(run: RunInfo, inputs: [TraceInput]) {
        self.run = run
        self.inputs = inputs
    }
}

/// A run reached going down from an artifact.
public struct DownstreamRun: Codable, Sendable, Equatable {
    /// The consuming run.
    public var run: RunInfo
    /// Distance from the starting artifact (1 = consumed it directly).
    public var depth: Int
    /// The artifact through which it was reached.
    public var via: String
}

extension Catalog {
    /// Runs, newest first, optionally only of one node and of one experiment.
    public func runs(node: String? = nil, experiment: String? = nil, limit: Int = 1000) throws -> [RunInfo] {
        try read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let node {
                conditions.append("node = ?")
                arguments.append(node)
            }
            if let experiment {
                conditions.append("experiment = ?")
                arguments.append(experiment)
            }
            arguments.append(limit)
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let records = try RunRecord.fetchAll(db, sql: "SELECT * FROM runs \(filter) ORDER BY id DESC LIMIT ?", arguments: StatementArguments(arguments))
            return try records.map { try Self.info(db, $0) }
        }
    }

    /// The full detail of run `id`.
    public func detail(run id: Int64) throws -> RunDetail {
        try read { db in try Self.detail(db, id) }
    }

    /// The full detail of run `id` inside an open read (`metrics` false: without its metric points).
    static func detail(_ db: Database, _ id: Int64, metrics withMetrics: Bool = true) throws -> RunDetail {
        guard let run = try RunRecord.fetchOne(db, key: id) else {
            throw EngineError.notFound(what: "run \(id)", hint: "list runs with `rlhf runs`")
        }
        let params = try RunParamRecord.fetchAll(db, sql: "SELECT * FROM run_params WHERE runId = ?", arguments: [id])
        let inputs = try Row.fetchAll(db, sql: """
            SELECT run_inputs.role, artifacts.hash, artifacts.path, run_inputs.upstreamNode, run_inputs.upstreamRun
            FROM run_inputs JOIN artifacts ON artifacts.id = run_inputs.artifactId WHERE run_inputs.runId = ? ORDER BY run_inputs.role
            """, arguments: [id]).map { RunDetail.Input(role: $0[0], artifact: $0[1], path: $0[2], upstreamNode: $0[3], upstreamRun: $0[4]) }
        let outputs = try Row.fetchAll(db, sql: """
            SELECT run_outputs.name, artifacts.hash, artifacts.path, artifacts.size
            FROM run_outputs JOIN artifacts ON artifacts.id = run_outputs.artifactId WHERE run_outputs.runId = ? ORDER BY run_outputs.name
            """, arguments: [id]).map { RunDetail.Output(name: $0[0], artifact: $0[1], path: $0[2], size: $0[3]) }
        let metrics = withMetrics ? try MetricRecord.fetchAll(db, sql: "SELECT * FROM metrics WHERE runId = ? ORDER BY name, step", arguments: [id])
            .map { MetricPoint(name: $0.name, step: $0.step, value: $0.value) } : []
        let gates = try GateResultRecord.fetchAll(db, sql: "SELECT * FROM gate_results WHERE runId = ?", arguments: [id])
            .map { GateVerdict(gate: $0.gate, status: GateVerdict.Status(rawValue: $0.status) ?? .fail, severity: $0.severity, message: $0.message) }
        return RunDetail(run: run, params: Dictionary(uniqueKeysWithValues: params.map { ($0.name, $0.value) }), inputs: inputs,
                         outputs: outputs, metrics: metrics, gates: gates, overrides: try Self.overrides(db, run: id))
    }

    /// The current head run id of `node` in `experiment`, else its newest run id there (nil
    /// `experiment`: the newest head or run of any experiment).
    public func latestRun(node: String, experiment: String? = nil) throws -> Int64? {
        try read { db in
            if let experiment {
                return try Int64.fetchOne(db, sql: "SELECT runId FROM heads WHERE node = ? AND experiment = ?", arguments: [node, experiment])
                    ?? Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE node = ? AND experiment = ? ORDER BY id DESC LIMIT 1", arguments: [node, experiment])
            }
            return try Int64.fetchOne(db, sql: "SELECT max(runId) FROM heads WHERE node = ?", arguments: [node])
                ?? Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE node = ? ORDER BY id DESC LIMIT 1", arguments: [node])
        }
    }

    /// Full artifact hashes starting with `prefix` (at least 4 hex digits).
    public func artifactHashes(prefix: String) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT hash FROM artifacts WHERE hash LIKE ? ORDER BY hash", arguments: [prefix.lowercased() + "%"])
        }
    }

    /// The newest run that produced artifact `hash` (optionally at `path`).
    public func producer(ofArtifact hash: String, path: String? = nil) throws -> Int64? {
        try read { db in
            if let path {
                return try Int64.fetchOne(db, sql: """
                    SELECT run_outputs.runId FROM run_outputs JOIN artifacts ON artifacts.id = run_outputs.artifactId
                    WHERE artifacts.hash = ? AND artifacts.path = ? ORDER BY run_outputs.runId DESC LIMIT 1
                    """, arguments: [hash, path])
            }
            return try Int64.fetchOne(db, sql: """
                SELECT run_outputs.runId FROM run_outputs JOIN artifacts ON artifacts.id = run_outputs.artifactId
                WHERE artifacts.hash = ? ORDER BY run_outputs.runId DESC LIMIT 1
                """, arguments: [hash])
        }
    }

    /// The upstream lineage of run `id`.
    public func traceUp(run id: Int64) throws -> TraceTree {
        try read { db in try Self.trace(db, id, depth: 0) }
    }

    /// Every run that consumed artifact `hash`, transitively, breadth first.
    public func traceDown(artifact hash: String) throws -> [DownstreamRun] {
        try read { db in
            var result: [DownstreamRun] = []
            var seenRuns = Set<Int64>()
            var frontier = [(hash, 1)]
            var seenArtifacts: Set<String> = [hash]
            while !frontier.isEmpty {
                let (artifact, depth) = frontier.removeFirst()
                let consumers = try RunRecord.fetchAll(db, sql: """
                    SELECT DISTINCT runs.* FROM runs JOIN run_inputs ON run_inputs.runId = runs.id
                    JOIN artifacts ON artifacts.id = run_inputs.artifactId WHERE artifacts.hash = ? ORDER BY runs.id
                    """, arguments: [artifact])
                for record in consumers where seenRuns.insert(record.id!).inserted {
                    let info = try Self.info(db, record)
                    result.append(DownstreamRun(run: info, depth: depth, via: artifact))
                    for output in info.outputs.values.sorted() where seenArtifacts.insert(output).inserted {
                        frontier.append((output, depth + 1))
                    }
                }
            }
            return result
        }
    }

    private static func trace(_ db: Database, _ id: Int64, depth: Int) throws -> TraceTree {
        guard let record = try RunRecord.fetchOne(db, key: id) else {
            throw EngineError.notFound(what: "run \(id)", hint: "list runs with `rlhf runs`")
        }
        let rows = try Row.fetchAll(db, sql: """
            SELECT run_inputs.role, artifacts.hash, artifacts.path, run_inputs.upstreamRun
            FROM run_inputs JOIN artifacts ON artifacts.id = run_inputs.artifactId WHERE run_inputs.runId = ? ORDER BY run_inputs.role
            """, arguments: [id])
        let inputs = try rows.map { row -> TraceInput in
            let upstream: Int64? = row[3]
            let producer = try upstream.flatMap { depth < 256 ? try trace(db, $0, depth: depth + 1) : nil }
            return TraceInput(role: row[0], artifact: row[1], path: row[2], producer: producer)
        }
        return TraceTree(run: try info(db, record), inputs: inputs)
    }

    private static func info(_ db: Database, _ record: RunRecord) throws -> RunInfo {
        let rows = try Row.fetchAll(db, sql: """
            SELECT run_outputs.name, artifacts.hash FROM run_outputs JOIN artifacts ON artifacts.id = run_outputs.artifactId WHERE run_outputs.runId = ?
            """, arguments: [record.id!])
        return RunInfo(id: record.id!, experiment: record.experiment, node: record.node, kind: record.kind, key: record.key, status: record.status, reason: record.reason,
                       started: record.started, duration: record.duration, params: record.params,
                       outputs: Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[1]) }), overrides: try overrides(db, run: record.id!))
    }

    /// Artifact hashes referenced as outputs by the head runs of every other experiment and of
    /// `experiment`'s `nodes`, plus per node of `nodes` its newest `keep` non-failed runs in
    /// `experiment` (all of them when nil).
    func referencedArtifacts(experiment: String, nodes: [String], keep: Int?) throws -> Set<String> {
        try read { db in
            let current = Set(nodes)
            var hashes = Set<String>()
            for row in try Row.fetchAll(db, sql: """
                SELECT heads.experiment, heads.node, artifacts.hash FROM heads JOIN run_outputs ON run_outputs.runId = heads.runId
                JOIN artifacts ON artifacts.id = run_outputs.artifactId
                """) where row[0] as String != experiment || current.contains(row[1]) {
                hashes.insert(row[2])
            }
            for node in nodes {
                let runIds: [Int64]
                if let keep {
                    runIds = try Int64.fetchAll(db, sql: "SELECT id FROM runs WHERE node = ? AND experiment = ? AND status != 'failed' ORDER BY id DESC LIMIT ?",
                                                arguments: [node, experiment, keep])
                } else {
                    runIds = try Int64.fetchAll(db, sql: "SELECT id FROM runs WHERE node = ? AND experiment = ?", arguments: [node, experiment])
                }
                guard !runIds.isEmpty else { continue }
                hashes.formUnion(try String.fetchAll(db, sql: """
                    SELECT artifacts.hash FROM run_outputs JOIN artifacts ON artifacts.id = run_outputs.artifactId
                    WHERE run_outputs.runId IN (\(runIds.map(String.init).joined(separator: ",")))
                    """))
            }
            return hashes
        }
    }
}
