import EngineCore
import Foundation
import GRDB

/// The experiments table (`rlhf exp show`, like `dvc exp show`): one row per experiment (its current
/// runs) or per run of one node, with chosen params and headline metrics as columns.
public struct ExperimentTable: Codable, Sendable, Equatable {
    /// One row.
    public struct Row: Codable, Sendable, Equatable {
        /// The experiment name (a `--set` variant's name for a one-off variant).
        public var experiment: String
        /// The run (rows of one node), or nil (rows of experiments).
        public var run: Int64?
        /// `succeeded`, `gate-failed`, `failed`, … (the worst over the experiment's current runs).
        public var status: String
        /// Param column → canonical JSON value (absent: the run has no such param).
        public var params: [String: String]
        /// Metric column → last value.
        public var metrics: [String: Double]
    }

    /// Param columns, `node.param` (or `param` for the rows of one node).
    public var paramColumns: [String]
    /// Metric columns, `node.metric` (or `metric` for the rows of one node).
    public var metricColumns: [String]
    /// The rows.
    public var rows: [Row]

    /// The table of `catalog`: rows are experiments, or the runs of `node` when given. `params` and
    /// `metrics` choose columns; by default the params that differ between rows and the one-point
    /// (summary) metrics of non-gate nodes, at most `defaultMetricLimit`. `sort` orders rows by a
    /// column (`-name` for descending; missing values last).
    public init(catalog: Catalog, node: String? = nil, params: [String]? = nil, metrics: [String]? = nil, sort: String? = nil,
                defaultMetricLimit: Int = 8) throws {
        var rows: [Row] = []
        var details: [Int: [RunDetail]] = [:]
        if let node {
            let runs = try catalog.runs(node: node).filter { $0.status != "failed" }
            guard !runs.isEmpty else { throw EngineError.notFound(what: "runs of node '\(node)'", hint: "list nodes with runs with `rlhf runs`") }
            for run in runs {
                details[rows.count] = [try catalog.detail(run: run.id)]
                rows.append(Row(experiment: run.experiment, run: run.id, status: run.status, params: [:], metrics: [:]))
            }
        } else {
            for experiment in try catalog.experimentNames() {
                let heads = try catalog.heads(experiment: experiment).values.sorted { $0.node < $1.node }
                let current = Set(heads.map(\.runId))
                let status = Self.worst(try catalog.runs(experiment: experiment, limit: Int.max).filter { current.contains($0.id) }.map(\.status))
                details[rows.count] = try heads.map { try catalog.detail(run: $0.runId) }
                rows.append(Row(experiment: experiment, run: nil, status: status, params: [:], metrics: [:]))
            }
        }
        let prefixed = node == nil
        for index in rows.indices {
            for detail in details[index] ?? [] {
                let prefix = prefixed ? detail.run.node + "." : ""
                // A replicated clone's params are its node's (equal across seeds): one `ppo.kl_coef` column, not one per seed.
                let paramPrefix = prefixed ? (Self.cloneBase(detail) ?? detail.run.node) + "." : ""
                for (name, value) in detail.params { rows[index].params[paramPrefix + name] = value }
                for summary in MetricSummary.summarize(detail.metrics) { rows[index].metrics[prefix + summary.name] = summary.last }
            }
        }
        paramColumns = params ?? Set(rows.flatMap(\.params.keys)).sorted().filter { column in Set(rows.map { $0.params[column] }).count > 1 }
        if let metrics {
            metricColumns = metrics
        } else {
            let gates = Set(details.values.joined().filter { !$0.gates.isEmpty }.map(\.run.node))
            let summaryMetrics = details.values.joined().filter { !gates.contains($0.run.node) }.flatMap { detail in
                MetricSummary.summarize(detail.metrics).filter { $0.points == 1 }.map { (prefixed ? detail.run.node + "." : "") + $0.name }
            }
            // Clones' per-seed metrics go after the others (an aggregate's means first).
            let clones = Set(details.values.joined().filter { Self.cloneBase($0) != nil }.map { $0.run.node + "." })
            let isClone = { (column: String) in prefixed && clones.contains { column.hasPrefix($0) } }
            metricColumns = Array(Set(summaryMetrics).sorted { (isClone($0) ? 1 : 0, $0) < (isClone($1) ? 1 : 0, $1) }.prefix(defaultMetricLimit))
        }
        for column in (params ?? []) + (metrics ?? []) where !rows.contains(where: { $0.params[column] != nil || $0.metrics[column] != nil }) {
            throw EngineError.notFound(what: "column '\(column)'", hint: prefixed ? "name params and metrics as node.name, e.g. ppo.kl_coef or eval.gold_gain"
                                                                                  : "name a param or metric of the node's runs")
        }
        let shownParams = Set(paramColumns), shownMetrics = Set(metricColumns)
        for index in rows.indices {
            rows[index].params = rows[index].params.filter { shownParams.contains($0.key) }
            rows[index].metrics = rows[index].metrics.filter { shownMetrics.contains($0.key) }
        }
        if let sort { rows = try Self.sorted(rows, by: sort, paramColumns: paramColumns, metricColumns: metricColumns) }
        self.rows = rows
    }

    /// Rows ordered by `column` (a leading `-` sorts descending); rows without the value go last.
    private static func sorted(_ rows: [Row], by column: String, paramColumns: [String], metricColumns: [String]) throws -> [Row] {
        let descending = column.hasPrefix("-")
        let name = descending ? String(column.dropFirst()) : column
        func ordered<T: Comparable>(_ value: (Row) -> T?) -> [Row] {
            rows.sorted { left, right in
                switch (value(left), value(right)) {
                case let (l?, r?): return descending ? l > r : l < r
                case (_?, nil): return true
                default: return false
                }
            }
        }
        if metricColumns.contains(name) { return ordered { $0.metrics[name] } }
        if paramColumns.contains(name) { return ordered { row in row.params[name].map { Double($0).map { String(format: "%020.6f", $0) } ?? $0 } } }
        if name == "experiment" { return ordered { $0.experiment } }
        if name == "run" { return ordered { $0.run } }
        throw EngineError.notFound(what: "sort column '\(name)'", hint: "sort by experiment, run, or a shown column: \((paramColumns + metricColumns).joined(separator: ", "))")
    }

    /// The node a run of a replicated clone copies (`ppo-seed11` → `ppo`), nil for other runs.
    private static func cloneBase(_ detail: RunDetail) -> String? {
        Replica.base(ofRunNode: detail.run.node, seed: detail.run.seed.map { UInt64(bitPattern: $0) })
    }

    /// The worst of `statuses`: failed, then gate-failed, then anything else but succeeded/reused.
    private static func worst(_ statuses: [String]) -> String {
        for status in ["failed", "gate-failed", "forgotten"] where statuses.contains(status) { return status }
        return statuses.isEmpty ? "empty" : "succeeded"
    }

    /// The header and the rows as text cells (the CLI's table and CSV).
    public var cells: [[String]] {
        let header = ["experiment", "run", "status"] + paramColumns + metricColumns
        return [header] + rows.map { row in
            [row.experiment, row.run.map(String.init) ?? "", row.status] + paramColumns.map { row.params[$0] ?? "" }
                + metricColumns.map { row.metrics[$0].map { String(format: "%.4g", $0) } ?? "" }
        }
    }

    /// The table as CSV (RFC 4180 quoting).
    public var csv: String {
        cells.map { row in
            row.map { cell in cell.contains(where: { ",\"\n".contains($0) }) ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell }
                .joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }
}

extension Catalog {
    /// Every experiment with current runs, in name order.
    public func experimentNames() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT DISTINCT experiment FROM heads ORDER BY experiment") }
    }
}
