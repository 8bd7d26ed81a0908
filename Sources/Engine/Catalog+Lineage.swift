import EngineCore
import Foundation
import GRDB

/// A run as shown by `runs`, `show` and `trace`.
public struct RunInfo: Encodable, Sendable, Equatable {
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
    /// `succeeded`, `failed`, `reused`, `gate-failed` (it ran, and a gate of it failed with a
    /// blocking severity) or `forgotten` (its output object was dropped by `verify --repair`).
    public var status: String
    /// Why it ran.
    public var reason: String
    /// Start, seconds since the epoch.
    public var started: Double
    /// Duration in seconds.
    public var duration: Double
    /// Params (canonical JSON text; encoded as a JSON object).
    public var params: String
    /// Output name → artifact hash.
    public var outputs: [String: String]
    /// Failed gates this run was built past (`--allow-failed-gates`).
    public var overrides: [GateOverride]
    /// The last line of its error, for a failed run.
    public var error: String?

    private enum CodingKeys: String, CodingKey {
        case id, experiment, node, kind, key, status, reason, started, duration, params, outputs, overrides, error
    }

    /// Encodes `params` as the JSON object it is, not as a string.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(experiment, forKey: .experiment)
        try container.encode(node, forKey: .node)
        try container.encode(kind, forKey: .kind)
        try container.encode(key, forKey: .key)
        try container.encode(status, forKey: .status)
        try container.encode(reason, forKey: .reason)
        try container.encode(started, forKey: .started)
        try container.encode(duration, forKey: .duration)
        let parsed = (try? JSONValue.parse(Array(params.utf8), file: "params")) ?? .string(params)
        try container.encode(parsed, forKey: .params)
        try container.encode(outputs, forKey: .outputs)
        try container.encode(overrides, forKey: .overrides)
        try container.encodeIfPresent(error, forKey: .error)
    }
}

/// One consumed artifact in an upstream trace.
public struct TraceInput: Encodable, Sendable {
    /// Input role.
    public var role: String
    /// Artifact hash.
    public var artifact: String
    /// Workspace path of the artifact.
    public var path: String
    /// The run that produced (or served) it, by id.
    public var producerRun: Int64?
    /// That run traced further up: only where it is first met and within the depth limit.
    public var producer: TraceTree?
}

/// The upstream lineage of a run: its inputs and, recursively, the runs that produced them.
public final class TraceTree: Encodable, @unchecked Sendable {
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

/// A run reached going down from a run's outputs along recorded consumption edges.
public struct DownstreamRun: Encodable, Sendable, Equatable {
    /// The consuming run.
    public var run: RunInfo
    /// Distance from the starting run (1 = consumed its output directly).
    public var depth: Int
    /// The artifact through which it was reached.
    public var via: String
    /// The run whose output it consumed (or, for a reuse, the run it served again).
    public var from: Int64
}

/// Where a trace starts: a run, and optionally the one output of it that is meant.
public struct TraceStart: Sendable, Equatable {
    /// The producing run.
    public var run: Int64
    /// The output name, nil for all of the run's outputs.
    public var output: String?

    /// Creates a start.
    public init(run: Int64, output: String?) {
        self.run = run
        self.output = output
    }
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
        try producers(ofArtifact: hash, path: path).first?.run
    }

    /// Runs that produced artifact `hash` (optionally only at `path`) with the output name, newest first.
    public func producers(ofArtifact hash: String, path: String? = nil) throws -> [TraceStart] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT run_outputs.runId, run_outputs.name FROM run_outputs JOIN artifacts ON artifacts.id = run_outputs.artifactId
                WHERE artifacts.hash = ?\(path == nil ? "" : " AND artifacts.path = ?") ORDER BY run_outputs.runId DESC
                """, arguments: StatementArguments([hash] + (path.map { [$0] } ?? [])))
            return rows.map { TraceStart(run: $0[0], output: $0[1]) }
        }
    }

    /// Runs of `experiment` (any when nil) that produced something at workspace path `path`, newest first.
    public func producers(atPath path: String, experiment: String?) throws -> [TraceStart] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT run_outputs.runId, run_outputs.name FROM run_outputs JOIN artifacts ON artifacts.id = run_outputs.artifactId
                JOIN runs ON runs.id = run_outputs.runId
                WHERE artifacts.path = ?\(experiment == nil ? "" : " AND runs.experiment = ?") ORDER BY run_outputs.runId DESC
                """, arguments: StatementArguments([path] + (experiment.map { [$0] } ?? [])))
            return rows.map { TraceStart(run: $0[0], output: $0[1]) }
        }
    }

    /// The upstream lineage of run `id`: every run appears once in full, later mentions carry only
    /// its id (`producerRun`); `depth` limits how many producer levels are expanded (nil: all).
    public func traceUp(run id: Int64, depth: Int? = nil) throws -> TraceTree {
        try read { db in
            var shown = Set<Int64>()
            return try Self.trace(db, id, level: 0, limit: depth, shown: &shown)
        }
    }

    /// Every run that consumed an output of the `starts` runs (only the named output where one is
    /// named), transitively along the recorded edges (consumer → the run it consumed from), breadth
    /// first, each run once. Runs that served a start run again (reuse) are followed too. `depth`
    /// limits the distance (nil: all).
    public func traceDown(from starts: [TraceStart], depth: Int? = nil) throws -> [DownstreamRun] {
        try read { db in
            var result: [DownstreamRun] = []
            var seen = Set(starts.map(\.run))
            var frontier = starts.map { ($0, 1) }
            while !frontier.isEmpty {
                let (start, level) = frontier.removeFirst()
                if let depth, level > depth { continue }
                var filter = ""
                var arguments: [any DatabaseValueConvertible] = [start.run]
                if let output = start.output {
                    filter = " AND artifacts.id IN (SELECT artifactId FROM run_outputs WHERE runId = ? AND name = ?)"
                    arguments += [start.run, output]
                }
                let consumers = try Row.fetchAll(db, sql: """
                    SELECT run_inputs.runId, artifacts.hash FROM run_inputs JOIN artifacts ON artifacts.id = run_inputs.artifactId
                    WHERE run_inputs.upstreamRun = ?\(filter) ORDER BY run_inputs.runId
                    """, arguments: StatementArguments(arguments))
                let served = try Int64.fetchAll(db, sql: "SELECT id FROM runs WHERE sourceRun = ? ORDER BY id", arguments: [start.run])
                let edges: [(Int64, String, Int)] = consumers.map { ($0[0], $0[1], level) } + served.map { ($0, "reuse", level) }
                for (runId, via, distance) in edges where seen.insert(runId).inserted {
                    guard let record = try RunRecord.fetchOne(db, key: runId) else { continue }
                    result.append(DownstreamRun(run: try Self.info(db, record), depth: distance, via: via, from: start.run))
                    let next = via == "reuse" ? TraceStart(run: runId, output: start.output) : TraceStart(run: runId, output: nil)
                    frontier.append((next, via == "reuse" ? level : level + 1))
                }
            }
            return result
        }
    }

    private static func trace(_ db: Database, _ id: Int64, level: Int, limit: Int?, shown: inout Set<Int64>) throws -> TraceTree {
        guard let record = try RunRecord.fetchOne(db, key: id) else {
            throw EngineError.notFound(what: "run \(id)", hint: "list runs with `rlhf runs`")
        }
        shown.insert(id)
        let rows = try Row.fetchAll(db, sql: """
            SELECT run_inputs.role, artifacts.hash, artifacts.path, run_inputs.upstreamRun
            FROM run_inputs JOIN artifacts ON artifacts.id = run_inputs.artifactId WHERE run_inputs.runId = ? ORDER BY run_inputs.role
            """, arguments: [id])
        var inputs: [TraceInput] = []
        for row in rows {
            let upstream: Int64? = row[3]
            var producer: TraceTree?
            if let upstream, !shown.contains(upstream), limit.map({ level < $0 }) ?? true {
                producer = try trace(db, upstream, level: level + 1, limit: limit, shown: &shown)
            }
            inputs.append(TraceInput(role: row[0], artifact: row[1], path: row[2], producerRun: upstream, producer: producer))
        }
        return TraceTree(run: try info(db, record), inputs: inputs)
    }

    private static func info(_ db: Database, _ record: RunRecord) throws -> RunInfo {
        let rows = try Row.fetchAll(db, sql: """
            SELECT run_outputs.name, artifacts.hash FROM run_outputs JOIN artifacts ON artifacts.id = run_outputs.artifactId WHERE run_outputs.runId = ?
            """, arguments: [record.id!])
        var status = record.status
        if status == "succeeded" || status == "reused",
           try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM gate_results WHERE runId = ? AND status = 'fail' AND lower(severity) != 'warn')",
                             arguments: [record.id!]) == true {
            status = "gate-failed"
        }
        let error = record.error.flatMap { $0.split(whereSeparator: \.isNewline).last.map(String.init) }
        return RunInfo(id: record.id!, experiment: record.experiment, node: record.node, kind: record.kind, key: record.key, status: status, reason: record.reason,
                       started: record.started, duration: record.duration, params: record.params,
                       outputs: Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[1]) }), overrides: try overrides(db, run: record.id!), error: error)
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
                    runIds = try Int64.fetchAll(db, sql: "SELECT id FROM runs WHERE node = ? AND experiment = ? AND status NOT IN ('failed', 'forgotten') ORDER BY id DESC LIMIT ?",
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
