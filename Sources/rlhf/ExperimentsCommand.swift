import ArgumentParser
import Engine
import EngineCore
import Foundation

/// `rlhf experiments` (or `rlhf exp show`): experiments, or the runs of one node, as rows; chosen
/// params and headline metrics as columns, like `dvc exp show`.
struct ExperimentsCommand: ParsableCommand {
    /// Command name, alias and the one subcommand (the default).
    static let configuration = CommandConfiguration(commandName: "experiments", abstract: "Compare experiments or the runs of one node in a table.",
                                                    subcommands: [ExperimentsShowCommand.self], defaultSubcommand: ExperimentsShowCommand.self,
                                                    aliases: ["exp"])
}

/// `rlhf exp show`: the table itself.
struct ExperimentsShowCommand: ParsableCommand {
    /// Command name and abstract.
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the experiments table.")

    @OptionGroup var workspace: WorkspaceOptions

    /// Rows are the runs of this node instead of experiments.
    @Option(help: "Rows are the runs of this node (columns then name its params and metrics without the node).")
    var node: String?

    /// Param columns.
    @Option(help: ArgumentHelp("Param columns, comma-separated (node.param; default: the params that differ).", valueName: "COLUMNS"))
    var params: String?

    /// Metric columns.
    @Option(help: ArgumentHelp("Metric columns, comma-separated (node.metric; default: summary metrics of non-gate nodes).", valueName: "COLUMNS"))
    var metrics: String?

    /// Sort column.
    @Option(help: ArgumentHelp("Sort rows by this column (experiment, run, or a shown column); `--sort=-COLUMN` sorts descending.", valueName: "COLUMN"))
    var sort: String?

    /// Descending order.
    @Flag(help: "Sort descending (the same as a leading - on --sort).")
    var descending = false

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    /// CSV output.
    @Flag(help: "Print CSV.")
    var csv = false

    /// Checks the flags.
    func validate() throws {
        guard !(json && csv) else { throw ValidationError("choose one of --json and --csv") }
        guard !descending || sort != nil else { throw ValidationError("--descending needs --sort COLUMN") }
    }

    /// Runs the command.
    func run() throws {
        let catalog = try workspace.open(readOnly: true).catalog
        let table = try ExperimentTable(catalog: catalog, node: node, params: Self.columns(params), metrics: Self.columns(metrics),
                                    sort: sort.map { descending && !$0.hasPrefix("-") ? "-" + $0 : $0 })
        if json { return try JSONOutput.print(table) }
        if csv { return Swift.print(table.csv, terminator: "") }
        let cells = table.cells
        TextTable.print(cells[0], Array(cells.dropFirst()))
    }

    /// `a,b` → `["a", "b"]`; nil stays nil.
    static func columns(_ text: String?) -> [String]? {
        text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }
}
