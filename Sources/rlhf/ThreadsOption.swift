import ArgumentParser
import Benchmarks
import Model

/// `--threads N`: threads for model math, kernels and matrix products alike (default: all cores).
struct ThreadsOption: ParsableArguments {
    /// Number of threads; nil keeps the default (OpenBLAS's choice: cores or `OPENBLAS_NUM_THREADS`).
    @Option(help: "Threads for model math (default: all cores).")
    var threads: Int?

    /// Checks the arguments before running.
    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// Applies the setting.
    func apply() {
        if let threads { ModelBenchmark.setThreadCount(threads) }
    }
}
