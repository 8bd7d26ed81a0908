import ArgumentParser

/// The `rlhf` command: a build system for RLHF experiments.
@main
struct RLHF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rlhf",
        abstract: "A build system for RLHF experiments.",
        subcommands: [ModelCommand.self, BenchCommand.self]
    )
}
