import ArgumentParser
import Foundation
import Model

/// `rlhf bench sgemm`: plain cblas_sgemm peak.
struct BenchSgemmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sgemm",
        abstract: "Measure plain cblas_sgemm GFLOP/s on square matrices (the peak to compare against).")

    @Option(help: "Matrix size n of the n×n×n products.")
    var size: Int = 1024

    @Option(help: "Seconds to time.")
    var seconds: Double = 3

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var threads: ThreadsOption

    func run() throws {
        threads.apply()
        BenchOutput.print(Benchmarks.sgemm(size: size, seconds: seconds), json: json)
    }
}
