import ArgumentParser
import CatalogReports
import Engine

/// `rlhf diff A B`: what differs between two runs, two catalog points of a node, or two experiments.
struct DiffCommand: ParsableCommand {
    /// Command name and abstract.
    static let configuration = CommandConfiguration(commandName: "diff",
                                                    abstract: "Compare params, metrics and upstream artifacts of two runs or experiments.")

    @OptionGroup var workspace: WorkspaceOptions

    /// Side A.
    @Argument(help: "A run id (12), a node at a catalog point (sft@12: its newest run with id ≤ 12), or an experiment name.")
    var a: String

    /// Side B.
    @Argument(help: "The same forms as A.")
    var b: String

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    /// Runs the command.
    func run() throws {
        let diff = try RunDiff(a, b, workspace: try workspace.open(), registry: KindRegistry.all)
        if json { return try JSONOutput.print(diff) }
        diff.text().forEach { print($0) }
    }
}
