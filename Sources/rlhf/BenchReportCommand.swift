import ArgumentParser
import Benchmarks
import Foundation
import Report

/// `rlhf bench report`: renders a report over many synthetic PPO metric lines and times it (target < 2 s, release).
struct BenchReportCommand: ParsableCommand {
    /// Command name and abstract.
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Time rendering a report over a long PPO run.")

    /// PPO metric lines.
    @Option(help: "Synthetic PPO metric lines.")
    var lines = 10_000

    /// Where the synthetic artifacts and the report go.
    @Option(help: "Scratch directory (default: a new temporary directory).")
    var dir: String?

    /// Checks the options.
    func validate() throws {
        guard lines > 0 else { throw ValidationError("--lines must be positive") }
    }

    /// Runs the command.
    func run() throws {
        let directory = dir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-bench-report-\(getpid())")
        let result = try ReportBenchmark.run(lines: lines, directory: directory)
        print("lines            \(result.lines)")
        print("setup            \(String(format: "%.3f", result.setupSeconds)) s (writing synthetic artifacts, not timed)")
        print("read+render+write \(String(format: "%.3f", result.renderSeconds)) s (target < 2 s in release)")
        print("index.html       \(result.htmlBytes) bytes at \(result.html.path)")
    }
}
