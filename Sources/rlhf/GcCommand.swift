import ArgumentParser
import Engine
import EngineCore

/// `rlhf gc`: removes store objects that no experiment's head runs and no run of the current
/// pipeline's experiment (newest `--keep N` per node) reference.
struct GcCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(commandName: "gc", abstract: "Remove unreferenced objects from the content store.")

    @OptionGroup var workspace: WorkspaceOptions

    /// Report only.
    @Flag(help: "List what would be removed.")
    var dryRun = false

    /// Runs kept per node.
    @Option(help: "Keep only the newest N runs per node of this experiment (plus every experiment's current heads).")
    var keep: Int?

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    /// Checks the flags before anything runs.
    func validate() throws {
        if let keep, keep < 0 { throw ValidationError("--keep must be 0 or more") }
    }

    /// Runs the command.
    func run() throws {
        let workspace = try self.workspace.open()
        let report = try Maintenance.collectGarbage(workspace: workspace, pipeline: try self.workspace.loadPipeline(workspace), keep: keep, dryRun: dryRun)
        if json { return try JSONOutput.print(report) }
        report.objects.forEach { print("\($0.status)  \($0.hash.prefix(12))  \($0.size) bytes  node \($0.node)  \($0.path)") }
        print("\(dryRun ? "would free" : "freed") \(report.bytes) bytes in \(report.removed.count) objects; kept \(report.kept)")
    }
}
