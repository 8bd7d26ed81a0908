import ArgumentParser

/// The `rlhf` command: a build system for RLHF experiments.
@main
struct RLHF: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "rlhf",
        abstract: "A build system for RLHF experiments.",
        version: BuildInfo.text,
        subcommands: [
            BuildCommand.self, StatusCommand.self, DagCommand.self, TraceCommand.self, RunsCommand.self,
            ShowCommand.self, GcCommand.self, VerifyCommand.self, ModelCommand.self, BenchCommand.self,
            ReportCommand.self, DiffCommand.self, KindsCommand.self, ExperimentsCommand.self, RunNodeCommand.self, PushCommand.self,
            PullCommand.self,
        ]
    )
}
