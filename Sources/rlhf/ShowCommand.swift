import ArgumentParser
import Engine
import EngineCore
import Foundation

/// `rlhf show RUN`: one run's params, inputs, outputs, metrics, duration and reason.
struct ShowCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one run in detail.")

    @OptionGroup var workspace: WorkspaceOptions

    /// Run id.
    @Argument(help: "Run id (see `rlhf runs`).")
    var runId: Int64

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    /// Runs the command.
    func run() throws {
        let detail = try workspace.open(readOnly: true).catalog.detail(run: runId)
        if json { return try JSONOutput.print(detail) }
        let record = detail.run
        print("run \(runId)  experiment \(record.experiment)  node \(record.node)  kind \(record.kind) v\(record.kindVersion)  \(record.status)")
        print("key       \(record.key)")
        print("reason    \(record.reason)")
        print(String(format: "duration  %.3fs", record.duration))
        if let code = record.exitCode { print("exit      \(code)") }
        if let line = record.lastStdout, !line.isEmpty { print("stdout    \(line)") }
        if let line = record.lastStderr, !line.isEmpty { print("stderr    \(line)") }
        if let error = record.error { print("error     \(error)") }
        print("params")
        detail.params.sorted { $0.key < $1.key }.forEach { print("  \($0.key) = \($0.value)") }
        print("inputs")
        detail.inputs.forEach { print("  \($0.role)  \($0.artifact.prefix(12))  \($0.path)  from \($0.upstreamNode) run \($0.upstreamRun.map(String.init) ?? "-")") }
        print("outputs")
        detail.outputs.forEach { print("  \($0.name)  \($0.artifact.prefix(12))  \($0.path)  \($0.size) bytes") }
        if !detail.metrics.isEmpty {
            print("metrics")
            detail.metrics.forEach { print("  \($0.name)[\($0.step)] = \($0.value)") }
        }
        if !detail.overrides.isEmpty {
            print("built past failed gates (--allow-failed-gates)")
            detail.overrides.forEach { print("  \($0.gateNode)  run \($0.gateRun)  \($0.message)") }
        }
        if !detail.gates.isEmpty {
            print("gates")
            detail.gates.forEach { print("  \($0.gate)  \($0.status.rawValue)  \($0.severity)  \($0.message)") }
        }
    }
}
