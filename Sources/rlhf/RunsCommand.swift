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
        if json { return try JSONOutput.print(runs) }
        let formatter = ISO8601DateFormatter()
        TextTable.print(["RUN", "EXPERIMENT", "NODE", "STATUS", "STARTED", "DURATION", "KEY", "REASON"], runs.map {
            [String($0.id), $0.experiment, $0.node, $0.status, formatter.string(from: Date(timeIntervalSince1970: $0.started)),
             String(format: "%.2fs", $0.duration), String($0.key.prefix(12)), $0.reason + ($0.error.map { ": \($0)" } ?? "")]
        })
    }
}
