import ArgumentParser
import Engine
import Foundation

/// `rlhf verify [--repair]`: rehashes the store and the materialised outputs; repairs on request.
struct VerifyCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(commandName: "verify",
                                                    abstract: "Rehash every stored object and materialised output; report (or --repair) corruption.")

    @OptionGroup var workspace: WorkspaceOptions

    /// Repair what is found.
    @Flag(help: "Restore modified outputs from intact objects, restore or drop corrupt objects, and forget the runs that made dropped ones.")
    var repair = false

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    /// Runs the command.
    func run() throws {
        let workspace = try self.workspace.open(readOnly: !repair)
        let pipeline = try self.workspace.pipelineIfPresent(workspace)
        let report = try Maintenance.verify(workspace: workspace, pipeline: pipeline, repair: repair)
        if json {
            try JSONOutput.print(report)
        } else {
            for object in report.corrupt {
                print("CORRUPT object \(object.expected): bytes now hash to \(object.actual)")
            }
            for output in report.modified {
                print("MODIFIED \(output.path) (node \(output.node)): expected \(output.expected.prefix(12)), found \(output.actual.prefix(12))")
            }
            for path in report.pending where !repair {
                print("PENDING \(path): a killed build recorded its update and left it staged next to it; the next build completes it")
            }
            report.repairs.forEach { print("repaired: \($0)") }
            print("checked \(report.checked) objects (\(report.corrupt.count) corrupt) and \(report.checkedOutputs) workspace outputs (\(report.modified.count) modified)")
            if !report.clean && !repair { print("run `rlhf verify --repair` to restore outputs from intact objects and drop corrupt ones") }
        }
        if !report.clean && !repair { throw ExitCode.failure }
    }
}
