import ArgumentParser
import Benchmarks
import Model

/// `--precision` and `--json`, shared by the inference benchmarks (`bench score`, `bench generate`).
struct InferenceBenchOptions: ParsableArguments {
    /// Precision of the inference products.
    @Option(help: "Precision of the inference products: auto (bf16 on CPUs with AVX-512 BF16, else fp32), fp32 or bf16.")
    var precision: BenchPrecision = .auto

    /// Print one JSON object.
    @Flag(help: "Print one JSON object.")
    var json = false

    /// Sets `model`'s inference precision to the one asked for.
    func apply(to model: LlamaModel) {
        model.inferencePrecision = precision.resolved
    }

    /// Prints `result` as a line of text, or as one JSON object with `--json`.
    func print(_ result: ModelBenchmark.Result) {
        BenchOutput.print(result, json: json)
    }
}
