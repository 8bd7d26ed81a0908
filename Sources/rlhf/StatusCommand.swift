import ArgumentParser
import Engine
import EngineCore

/// `rlhf status`: every node with its state and reason, from the same planner as `--dry-run`.
struct StatusCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show each node's state and why it is stale.")

    @OptionGroup var workspace: WorkspaceOptions

    /// Failed gates to plan past.
    @Option(name: .customLong("allow-failed-gates"), help: ArgumentHelp("Plan below this failed gate node as `build --allow-failed-gates` would (repeatable).", valueName: "GATE"))
    var allowFailedGates: [String] = []

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    /// Runs the command.
    func run() throws {
        let workspace = try self.workspace.open()
        let pipeline = try self.workspace.loadPipeline(workspace)
        let plan = try Executor(workspace: workspace, pipeline: pipeline, registry: KindRegistry.all).plan(allowFailedGates: allowFailedGates)
        let rows = PlanRenderer.rows(plan)
        if json { return try JSONOutput.print(rows) }
        TextTable.print(["NODE", "STATE", "REASON"], rows.map { [$0.node, $0.state, $0.detail ?? ""] })
    }
}
