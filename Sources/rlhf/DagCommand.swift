import ArgumentParser
import Engine
import EngineCore

extension DagRenderer.Format: ExpressibleByArgument {}

/// `rlhf dag`: the pipeline graph.
struct DagCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(commandName: "dag", abstract: "Print the pipeline DAG.")

    @OptionGroup var workspace: WorkspaceOptions

    /// Output format.
    @Option(help: "text, dot, mermaid or json.")
    var format: DagRenderer.Format = .text

    /// JSON output (the same as --format json).
    @Flag(help: "Print JSON (nodes and edges).")
    var json = false

    /// Runs the command.
    func run() throws {
        let workspace = try self.workspace.open()
        print(DagRenderer.render(try self.workspace.loadPipeline(workspace), format: json ? .json : format))
    }
}
