import ArgumentParser

/// `rlhf bench`: throughput benchmarks.
struct BenchCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Throughput benchmarks.",
        subcommands: [BenchTrainCommand.self, BenchGenerateCommand.self, BenchSgemmCommand.self]
    )
}
