import ArgumentParser
import Benchmarks
import Engine
import Foundation

/// `rlhf bench executor`: hashing throughput, no-op build and one-leaf rebuild on a generated workspace.
struct BenchExecutorCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(commandName: "executor", abstract: "Benchmark the build engine on 200 command nodes over 1 GB of inputs.")

    /// Size of the generated inputs.
    @Option(help: "Megabytes of generated input files.")
    var megabytes = 1024

    /// Parallel jobs.
    @Option(name: [.short, .long], help: "Jobs for the builds.")
    var jobs = 2

    /// Keep the generated workspace.
    @Flag(help: "Keep the generated workspace instead of deleting it.")
    var keep = false

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    /// Checks the flags before anything runs.
    func validate() throws {
        guard megabytes >= 1, jobs >= 1 else { throw ValidationError("--megabytes and --jobs must be at least 1") }
    }

    /// Runs the command.
    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-bench-\(getpid())").path
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
        var configuration = ExecutorBenchmark.Configuration(directory: directory)
        configuration.totalBytes = Int64(megabytes) << 20
        configuration.jobs = jobs
        configuration.executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let report = try ExecutorBenchmark(configuration: configuration).run { FileHandle.standardError.write(Data("bench: \($0)\n".utf8)) }
        if json { return try JSONOutput.print(report) }
        print("workspace            \(directory)\(keep ? "" : " (deleted)")")
        print("nodes                \(report.commandNodes) command nodes over \(report.sourceBytes >> 20) MiB, --jobs \(report.jobs)")
        print(String(format: "first build          %.2f s", report.firstBuildSeconds))
        print(String(format: "hashing (build)      %.0f MB/s", report.firstBuildHashMBps))
        print(String(format: "hashing (1 thread)   %.0f MB/s", report.singleThreadHashMBps))
        print("xxhsum -H2           " + (report.xxhsumMBps.map { String(format: "%.0f MB/s", $0) } ?? "not installed"))
        print(String(format: "no-op build          %.1f ms in-process", report.noOpInProcessMs))
        if let process = report.noOpProcessMs { print(String(format: "no-op rlhf build     %.1f ms as a process", process)) }
        print(String(format: "one-leaf rebuild     %.1f ms (%d nodes reran)", report.oneLeafRebuildMs, report.oneLeafRebuilt))
    }
}
