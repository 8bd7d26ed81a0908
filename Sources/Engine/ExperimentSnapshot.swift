import EngineCore
import GRDB

/// Everything a report generator needs about one experiment's current state, read in one transaction.
public struct ExperimentSnapshot: Codable, Sendable {
    /// The experiment name.
    public var experiment: String
    /// Each node that has a head run, by node name order.
    public var nodes: [NodeSnapshot]

    /// Gate nodes some head run was built past with `--allow-failed-gates`, sorted.
    public var overriddenGates: [String] {
        Set(nodes.flatMap { $0.overrides.map(\.gateNode) }).sorted()
    }

    /// The snapshot of `node`, if it has a head run.
    public subscript(node: String) -> NodeSnapshot? {
        nodes.first { $0.node == node }
    }
}

/// One node's head run in an experiment snapshot.
public struct NodeSnapshot: Codable, Sendable {
    /// Node name.
    public var node: String
    /// The head run: id, kind, key, status, reason, started/finished, duration, source run of a reuse.
    public var run: RunRecord
    /// Params by name (canonical JSON values).
    public var params: [String: String]
    /// Input artifacts with hashes and the upstream runs that produced them.
    public var inputs: [RunDetail.Input]
    /// Output artifacts with hashes.
    public var outputs: [RunDetail.Output]
    /// Metric points by name, in step order (for a reused run, those of the run that computed it).
    public var metrics: [String: [MetricPoint]]
    /// Gate verdicts of the head run.
    public var gates: [GateVerdict]
    /// Failed gates the head run was built past (`--allow-failed-gates`).
    public var overrides: [GateOverride]
}

extension Catalog {
    /// The head run of every node of `experiment`, with params, artifacts, metrics, gates and overrides.
    public func experimentSnapshot(experiment: String) throws -> ExperimentSnapshot {
        try read { db in
            let heads = try Row.fetchAll(db, sql: "SELECT node, runId FROM heads WHERE experiment = ? ORDER BY node", arguments: [experiment])
            let nodes = try heads.map { row -> NodeSnapshot in
                let detail = try Self.detail(db, row[1], metrics: false)
                return NodeSnapshot(node: row[0], run: detail.run, params: detail.params, inputs: detail.inputs, outputs: detail.outputs,
                                    metrics: try Self.metrics(db, run: row[1]), gates: detail.gates, overrides: detail.overrides)
            }
            return ExperimentSnapshot(experiment: experiment, nodes: nodes)
        }
    }

    /// Metric points of run `id` by name in step order; a reused run answers with the metrics of the run it reused.
    public func metrics(run id: Int64) throws -> [String: [MetricPoint]] {
        try read { db in try Self.metrics(db, run: id) }
    }

    /// The names of every experiment with runs in the catalog.
    public func experiments() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT DISTINCT experiment FROM runs ORDER BY experiment") }
    }

    private static func metrics(_ db: Database, run id: Int64) throws -> [String: [MetricPoint]] {
        var runId = id
        var hops = 0
        while hops < 64, let source = try Int64.fetchOne(db, sql: "SELECT sourceRun FROM runs WHERE id = ?", arguments: [runId]) {
            runId = source
            hops += 1
        }
        var result: [String: [MetricPoint]] = [:]
        for record in try MetricRecord.fetchAll(db, sql: "SELECT * FROM metrics WHERE runId = ? ORDER BY name, step", arguments: [runId]) {
            result[record.name, default: []].append(MetricPoint(name: record.name, step: record.step, value: record.value))
        }
        return result
    }
}
