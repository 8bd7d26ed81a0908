import ArgumentParser

/// `rlhf bench …`: performance benchmarks (not tests).
struct BenchCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark.",
        subcommands: [
            BenchExecutorCommand.self,
            BenchTrainCommand.self, BenchScoreCommand.self, BenchGenerateCommand.self, BenchSgemmCommand.self, BenchPPOCommand.self,
            BenchEvalLeakCommand.self, BenchReportCommand.self,
        ]
    )
}
