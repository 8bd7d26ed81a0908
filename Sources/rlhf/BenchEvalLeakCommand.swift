import ArgumentParser
import Benchmarks
import Foundation
import Stages

/// `rlhf bench eval-leak`: times the eval-leak gate on 100k training lines against 10k eval prompts.
struct BenchEvalLeakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval-leak",
                                                    abstract: "Benchmark gate.eval_leak on generated synthetic text (default 100k training lines × 10k eval prompts).")

    /// Training lines to generate.
    @Option(help: "Training JSONL lines (60% SFT, 20% preference prompts, 20% PPO prompts).")
    var trainingLines = 100_000

    /// Eval prompts to generate.
    @Option(help: "Eval prompts.")
    var evalPrompts = 10_000

    /// Fraction of eval prompts leaked into training sets.
    @Option(help: "Fraction of eval prompts the generator leaks (exact, reworded, embedded).")
    var leakFraction = 0.05

    /// Scan threads.
    @Option(help: "Scan threads.")
    var threads = 2

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard trainingLines >= 10, evalPrompts >= 1, threads >= 1 else {
            throw ValidationError("--training-lines must be at least 10, --eval-prompts and --threads at least 1")
        }
        guard (0...1).contains(leakFraction) else { throw ValidationError("--leak-fraction must be in 0...1") }
    }

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-bench-eval-leak-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try EvalLeakBenchmark.run(trainingLines: trainingLines, evalCount: evalPrompts, leakFraction: leakFraction,
                                               threads: threads, directory: directory)
        if json { return try JSONOutput.print(report) }
        print("training lines       \(report.trainingLines) (\(report.trainingTexts) texts)")
        print("eval prompts         \(report.evalPrompts)")
        print(String(format: "generate + write     %.2f s", report.generateSeconds))
        print(String(format: "read + validate      %.2f s", report.loadSeconds))
        print(String(format: "gate core            %.2f s (%d threads)", report.coreSeconds, report.threads))
        print("leaked pairs         \(report.leakedPairs) (\(report.leakedEvalPrompts) eval prompts)")
        print("planted leaks found  \(report.plantedFound) of \(report.plantedLeaks)")
    }
}
