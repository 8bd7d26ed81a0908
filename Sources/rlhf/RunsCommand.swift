import ArgumentParser
import Engine
import Foundation

/// `rlhf runs [--node N]`: recorded runs, newest first.
struct RunsCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List recorded runs, newest first.")

    @OptionGroup var workspace: WorkspaceOptions

    /// Filter by node.
    @Option(help: "Only runs of this node.")
    var node: String?

    /// Row limit.
    @Option(help: "At most this many runs.")
    var limit = 50

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    /// Runs the command.
    func run() throws {
        let runs = try workspace.open().catalog.runs(node: node, limit: limit)
        if json { return try JSONOutput.print(runs) }
        let formatter = ISO8601DateFormatter()
        TextTable.print(["RUN", "NODE", "STATUS", "STARTED", "DURATION", "KEY", "REASON"], runs.map {
            [String($0.id), $0.node, $0.status, formatter.string(from: Date(timeIntervalSince1970: $0.started)),
             String(format: "%.2fs", $0.duration), String($0.key.prefix(12)), $0.reason]
        })
    }
}
