import ArgumentParser
import Engine

/// `rlhf verify`: rehashes the store and reports corrupted objects.
struct VerifyCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Rehash every stored object and report corruption.")

    @OptionGroup var workspace: WorkspaceOptions

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    /// Runs the command.
    func run() throws {
        let result = try Maintenance.verify(workspace: workspace.open())
        if json {
            try JSONOutput.print(result.corrupt)
        } else {
            result.corrupt.forEach { print("CORRUPT \($0.expected): bytes now hash to \($0.actual); delete it and rebuild") }
            print("checked \(result.checked) objects, \(result.corrupt.count) corrupt")
        }
        if !result.corrupt.isEmpty { throw ExitCode.failure }
    }
}
