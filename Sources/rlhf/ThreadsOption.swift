import ArgumentParser
import Model

/// `--threads N`: BLAS threads for model math (default: OpenBLAS's own choice, usually all cores).
struct ThreadsOption: ParsableArguments {
    /// Number of BLAS threads; nil leaves OpenBLAS's default.
    @Option(help: "BLAS threads for model math (default: all cores).")
    var threads: Int?

    /// Checks the arguments before running.
    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// Applies the setting.
    func apply() {
        if let threads { Benchmarks.setThreadCount(threads) }
    }
}
