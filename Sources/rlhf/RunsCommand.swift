import ArgumentParser
import Engine
import EngineCore
import Foundation

/// `rlhf runs [--node N]`: recorded runs, newest first.
struct RunsCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List recorded runs, newest first.")

    @OptionGroup var workspace: WorkspaceOptions

    /// Filter by node.
    @Option(help: "Only runs of this node.")
    var node: String?

    /// Experiment to list.
    @Option(help: "Runs of this experiment (default: the pipeline's experiment).")
    var experiment: String?

    /// Row limit.
    @Option(help: "At most this many runs.")
    var limit = 50

    /// Metric columns.
    @Option(help: ArgumentHelp("Add the last value of these metrics as columns, comma-separated (e.g. gold_gain,kl_final).", valueName: "NAMES"))
    var metrics: String?

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    /// Runs the command.
    func run() throws {
        let workspace = try self.workspace.open(readOnly: true)
        let experiment = try self.workspace.experiment(workspace, named: experiment)
        let runs = try workspace.catalog.runs(node: node, experiment: experiment, limit: limit)
        if let node, runs.isEmpty {
            let pipeline = try self.workspace.pipelineIfPresent(workspace)
            guard pipeline?.nodes[node] != nil else {
                throw EngineError.notFound(what: "node '\(node)'", hint: pipeline.map { "nodes are: \($0.order.joined(separator: ", "))" }
                                                ?? "no run of it is recorded; list runs with `rlhf runs`")
            }
        }
        let names = ExperimentsShowCommand.columns(metrics) ?? []
        var values: [Int64: [String: Double]] = [:]
        for run in runs where !names.isEmpty {
            let summaries = MetricSummary.summarize(try workspace.catalog.detail(run: run.id).metrics)
            values[run.id] = Dictionary(uniqueKeysWithValues: summaries.filter { names.contains($0.name) }.map { ($0.name, $0.last) })
        }
        if let missing = names.first(where: { name in !values.values.contains { $0[name] != nil } }), !runs.isEmpty {
            throw EngineError.notFound(what: "metric '\(missing)' in these runs", hint: "see a run's metrics with `rlhf show RUN`")
        }
        if json { return try JSONOutput.print(runs.map { RunRow(run: $0, metrics: names.isEmpty ? nil : values[$0.id] ?? [:]) }) }
        let formatter = ISO8601DateFormatter()
        TextTable.print(["RUN", "EXPERIMENT", "NODE", "STATUS", "STARTED", "DURATION", "KEY"] + names.map { $0.uppercased() } + ["REASON"], runs.map { run in
            [String(run.id), run.experiment, run.node, run.status, formatter.string(from: Date(timeIntervalSince1970: run.started)),
             String(format: "%.2fs", run.duration), String(run.key.prefix(12))]
                + names.map { name in values[run.id]?[name].map { String(format: "%.4g", $0) } ?? "-" }
                + [run.reason + (run.error.map { ": \($0)" } ?? "")]
        })
    }
}

/// A `runs --json` row: the run, and the chosen metrics' last values under `metrics` when asked for.
struct RunRow: Encodable {
    /// The run.
    var run: RunInfo
    /// Last value of each chosen metric (`--metrics` only).
    var metrics: [String: Double]?

    /// Encodes the run's fields at the top level, plus `metrics`.
    func encode(to encoder: Encoder) throws {
        try run.encode(to: encoder)
        if let metrics {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(metrics, forKey: Key(stringValue: "metrics"))
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
