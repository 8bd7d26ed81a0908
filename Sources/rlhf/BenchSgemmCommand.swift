import ArgumentParser
import Benchmarks
import Foundation
import Model

/// `rlhf bench sgemm`: plain cblas_sgemm peak.
struct BenchSgemmCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "sgemm",
        abstract: "Measure plain cblas_sgemm GFLOP/s on square matrices (the peak to compare against).")

    /// Matrix size n of the n×n×n products.
    @Option(help: "Matrix size n of the n×n×n products.")
    var size: Int = 1024

    /// Seconds to time.
    @Option(help: "Seconds to time.")
    var seconds: Double = 3

    /// Print one JSON object.
    @Flag(help: "Print one JSON object.")
    var json = false

    /// Thread settings.
    @OptionGroup var threads: ThreadsOption

    /// Runs the command.
    func run() throws {
        threads.apply()
        BenchOutput.print(ModelBenchmark.sgemm(size: size, seconds: seconds), json: json)
    }
}
