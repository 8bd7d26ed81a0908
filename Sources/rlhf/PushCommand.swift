import ArgumentParser
import Engine
import Foundation

/// `rlhf push [TARGET…]`: puts the current results of up-to-date nodes into the shared content cache.
struct PushCommand: ParsableCommand {
    /// Command name and abstract.
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push the current results of up-to-date nodes to the shared content cache (objects first, each ac/ entry last; the first writer wins).")

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var remoteCache: RemoteCacheOptions

    /// Nodes to push (with everything above them).
    @Argument(help: "Nodes to push, with the nodes they need; default: all.")
    var targets: [String] = []

    /// JSON summary.
    @Flag(help: "Print the summary as JSON.")
    var json = false

    /// Runs the command.
    func run() throws {
        let workspace = try self.workspace.open()
        let settings = try remoteCache.required(mode: .readwrite, workspaceRoot: workspace.root.path)
        let pipeline = try self.workspace.loadPipeline(workspace)
        let toStandardError = json
        let executor = Executor(workspace: workspace, pipeline: pipeline, registry: KindRegistry.all, output: { line in
            if toStandardError { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
        })
        let started = Date()
        let summary = try executor.push(targets: targets, cache: settings)
        if json { return try JSONOutput.print(summary) }
        print(summary.line + String(format: " (%.2fs) to \(settings.location)", Date().timeIntervalSince(started)))
        if !summary.errors.isEmpty { throw ExitCode.failure }
    }
}
