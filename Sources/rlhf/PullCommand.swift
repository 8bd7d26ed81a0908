import ArgumentParser
import Engine
import EngineCore
import Foundation

/// `rlhf pull [TARGET…]`: brings nodes from the shared content cache into the workspace without running anything.
struct PullCommand: ParsableCommand {
    /// Command name and abstract.
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Serve stale nodes from the shared content cache (verified by SHA-256) and run nothing; nodes the cache lacks are listed.")

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var remoteCache: RemoteCacheOptions

    /// Nodes to pull (with what they need).
    @Argument(help: "Nodes to pull, with the nodes they need; default: all.")
    var targets: [String] = []

    /// Parallel downloads.
    @Option(name: [.short, .long], help: "Nodes to download at once.")
    var jobs = 4

    /// JSON summary.
    @Flag(help: "Print the summary as JSON.")
    var json = false

    /// Runs the command.
    func run() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        let workspace = try self.workspace.open()
        let settings = try remoteCache.required(mode: .read, workspaceRoot: workspace.root.path)
        let stream = json ? ConsoleStream.standardError : ConsoleStream(descriptor: STDOUT_FILENO)
        let pipeline = try self.workspace.loadPipeline(workspace)
        let executor = Executor(workspace: workspace, pipeline: pipeline, registry: KindRegistry.all, output: { stream.line($0) }, stream: stream)
        var options = BuildOptions()
        options.targets = targets
        options.jobs = jobs
        options.keepGoing = true
        options.handlesSignals = true
        options.remoteCache = settings
        options.remoteCacheOnly = true
        let summary = try executor.build(options)
        if json { return try JSONOutput.print(summary) }
        if !summary.skipped.isEmpty {
            print("not in \(settings.location): \(summary.skipped.joined(separator: ", "))"
                + (summary.blocked.isEmpty ? "" : "; below them: \(summary.blocked.joined(separator: ", "))") + "; build them with `rlhf build`")
        }
        if !summary.failed.isEmpty || !summary.errors.isEmpty { throw ExitCode.failure }
    }
}
