import ArgumentParser
import Engine
import EngineCore
import Foundation

/// `rlhf show RUN`: one run's params, inputs, outputs, a summary of each metric, duration and reason.
struct ShowCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one run in detail.")

    @OptionGroup var workspace: WorkspaceOptions

    /// The run.
    @Argument(help: "A run id (12), a node at a catalog point (sft@12: its newest run with id ≤ 12), or a node (its newest run).")
    var target: String

    /// Full metric series.
    @Flag(help: "Print every metric point instead of one summary line per metric.")
    var metrics = false

    /// JSON output.
    @Flag(help: "Print JSON (metric summaries; the full series too with --metrics).")
    var json = false

    /// Runs the command.
    func run() throws {
        let opened = try workspace.open(readOnly: true)
        let id = try opened.catalog.run(named: target, experiment: try workspace.experiment(opened, named: nil))
        let detail = try opened.catalog.detail(run: id)
        let summaries = MetricSummary.summarize(detail.metrics)
        if json { return try JSONOutput.print(ShowOutput(detail, summaries: summaries, series: metrics)) }
        let record = detail.run
        print("run \(id)  experiment \(record.experiment)  node \(record.node)  kind \(record.kind) v\(record.kindVersion)  \(record.status)")
        print("key       \(record.key)")
        if let seed = record.seed { print("seed      \(seed)") }
        print("reason    \(record.reason)")
        print(String(format: "duration  %.3fs", record.duration))
        if let code = record.exitCode { print("exit      \(code)") }
        if let line = record.lastStdout, !line.isEmpty { print("stdout    \(line)") }
        if let line = record.lastStderr, !line.isEmpty { print("stderr    \(line)") }
        if let error = record.error { print("error     \(error)") }
        print("params")
        detail.params.sorted { $0.key < $1.key }.forEach { print("  \($0.key) = \($0.value)") }
        print("inputs")
        detail.inputs.forEach { print("  \($0.role)  \($0.artifact.prefix(12))  \($0.path)  from \($0.upstreamNode) run \($0.upstreamRun.map(String.init) ?? "-")") }
        print("outputs")
        detail.outputs.forEach { print("  \($0.name)  \($0.artifact.prefix(12))  \($0.path)  \($0.size) bytes") }
        if metrics {
            print("metrics")
            detail.metrics.forEach { print("  \($0.name)[\($0.step)] = \($0.value)") }
        } else if !summaries.isEmpty {
            print("metrics (one line each; every point with --metrics)")
            TextTable.print(["  METRIC", "POINTS", "FIRST", "LAST", "MIN", "MAX"], summaries.map {
                ["  " + $0.name, String($0.points), Self.figure($0.first, at: $0.firstStep), Self.figure($0.last, at: $0.lastStep),
                 Self.figure($0.min, at: $0.minStep), Self.figure($0.max, at: $0.maxStep)]
            })
        }
        if !detail.overrides.isEmpty {
            print("built past failed gates (--allow-failed-gates)")
            detail.overrides.forEach { print("  \($0.gateNode)  run \($0.gateRun)  \($0.message)") }
        }
        if !detail.gates.isEmpty {
            print("gates")
            detail.gates.forEach { print("  \($0.gate)  \($0.wording)  \($0.message)") }
        }
    }

    /// `0.4321 @12`.
    private static func figure(_ value: Double, at step: Int) -> String {
        String(format: "%.4g", value) + " @\(step)"
    }
}

/// `rlhf show --json`: the run detail with metric summaries, and the series only when asked for.
struct ShowOutput: Encodable {
    /// The run row.
    var run: RunRecord
    /// Params by name.
    var params: [String: String]
    /// Inputs.
    var inputs: [RunDetail.Input]
    /// Outputs.
    var outputs: [RunDetail.Output]
    /// One summary per metric.
    var metricSummaries: [MetricSummary]
    /// Every metric point (`--metrics` only).
    var metrics: [MetricPoint]?
    /// Gate verdicts.
    var gates: [GateVerdict]
    /// Failed gates built past.
    var overrides: [GateOverride]

    /// The output for `detail`.
    init(_ detail: RunDetail, summaries: [MetricSummary], series: Bool) {
        run = detail.run
        params = detail.params
        inputs = detail.inputs
        outputs = detail.outputs
        metricSummaries = summaries
        metrics = series ? detail.metrics : nil
        gates = detail.gates
        overrides = detail.overrides
    }
}
