import ArgumentParser
import Engine
import EngineCore

/// `rlhf trace TARGET [--down] [--depth N]`: lineage from the catalog, following recorded run edges.
struct TraceCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(commandName: "trace", abstract: "Show what fed a node or artifact, or (--down) what it fed.")

    @OptionGroup var workspace: WorkspaceOptions

    /// Node, artifact hash prefix or workspace path.
    @Argument(help: "A node, an artifact hash prefix, or a workspace path.")
    var target: String

    /// Trace consumers instead of producers.
    @Flag(help: "List every run that consumed the artifact, transitively.")
    var down = false

    /// Experiment whose runs a node name means.
    @Option(help: "Trace this experiment's node (default: the pipeline's experiment).")
    var experiment: String?

    /// How many levels to follow.
    @Option(help: "Follow at most N levels of producers (or, with --down, consumers).")
    var depth: Int?

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    /// Checks the flags before anything runs.
    func validate() throws {
        if let depth, depth < 0 { throw ValidationError("--depth must be 0 or more") }
    }

    /// Runs the command.
    func run() throws {
        let workspace = try self.workspace.open(readOnly: true)
        let lineage = Lineage(workspace: workspace, experiment: try self.workspace.experiment(workspace, named: experiment))
        if down {
            let runs = try workspace.catalog.traceDown(from: try lineage.starts(for: target), depth: depth)
            if json { return try JSONOutput.print(runs) }
            if runs.isEmpty { print("nothing consumed \(target)") }
            Lineage.render(runs).forEach { print($0) }
        } else {
            let tree = try workspace.catalog.traceUp(run: try lineage.run(for: target), depth: depth)
            if json { return try JSONOutput.print(tree) }
            Lineage.render(tree).forEach { print($0) }
        }
    }
}
