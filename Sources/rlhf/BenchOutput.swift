import Benchmarks
import Foundation
import Model

/// Prints a benchmark result as a line of text or one JSON object.
enum BenchOutput {
    /// Prints `r` as text or JSON.
    static func print(_ r: ModelBenchmark.Result, json: Bool) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Swift.print(String(decoding: (try? encoder.encode(r)) ?? Data(), as: UTF8.self))
        } else {
            Swift.print(String(format: "%@: %d iterations in %.2f s, %.1f ms/iter, %.0f tokens/s, %.2f GFLOP/s, %d threads, "
                               + "peak RSS %.0f MiB; %@", r.name, r.iterations, r.seconds, r.msPerIteration,
                               r.tokensPerSecond, r.gflops, r.threads, r.peakRSSMegabytes, r.path))
        }
    }
}
