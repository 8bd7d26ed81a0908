import Foundation

/// The `command` kind: runs `params.cmd` with `bash -c` in the workspace. This is how an outside
/// trainer (a TRL script, a cluster job) plugs in.
///
/// Environment: `RLHF_IN_<ROLE>` (input paths), `RLHF_OUT_<NAME>` (temporary output paths the command
/// must create), `RLHF_PARAM_<NAME>` (every other param; strings bare, others as JSON), `RLHF_SEED`,
/// `RLHF_NODE`, `RLHF_WORKSPACE`. Names are upper-cased with non-alphanumerics turned into `_`.
/// `RLHF_METRICS` is a file the command may append `{"name","step","value"}` lines to; those points, and
/// the `log_history` of a Hugging Face Trainer `trainer_state.json` in a directory output, become the
/// run's metrics (catalog, `rlhf show`, `rlhf diff`, the report).
public struct CommandKind: StageKind {
    /// `command`.
    public let name = "command"
    /// Version 2: metrics from `$RLHF_METRICS` and `trainer_state.json`.
    public let version = 2
    /// `cmd`: the bash command line; any further params become `RLHF_PARAM_<NAME>`.
    public let params = [ParamSpec("cmd", .string, required: true, summary: "bash command line run in the workspace")]
    /// Runs a user command.
    public let summary = "run params.cmd with bash in the workspace (an outside trainer, script or cluster job); $RLHF_METRICS lines and a trainer_state.json log_history become its metrics"
    /// Extra params are passed through as environment variables.
    public var acceptsExtraParams: Bool { true }
    /// Any role names.
    public let inputs: [InputSpec]? = nil
    /// Outputs are listed by the node.
    public let outputs: [String]? = nil

    /// Creates the kind.
    public init() {}

    /// The environment variable suffix for a role, output or param name.
    public static func environmentName(_ name: String) -> String {
        String(name.uppercased().unicodeScalars.map { $0.isASCII && CharacterSet.alphanumerics.contains($0) ? Character($0) : "_" })
    }

    /// Runs the command and waits; a non-zero exit throws.
    public func run(_ context: StageContext) throws {
        var environment = ProcessInfo.processInfo.environment
        for (role, url) in context.inputs { environment["RLHF_IN_" + Self.environmentName(role)] = url.path }
        for (output, url) in context.outputs { environment["RLHF_OUT_" + Self.environmentName(output)] = url.path }
        for (param, value) in context.params where param != "cmd" {
            environment["RLHF_PARAM_" + Self.environmentName(param)] = value.environmentText
        }
        environment["RLHF_SEED"] = String(context.seed)
        environment["RLHF_NODE"] = context.node
        environment["RLHF_WORKSPACE"] = context.workspace.path
        let metricsPath = context.scratch.appendingPathComponent("metrics.jsonl").path
        environment["RLHF_METRICS"] = metricsPath
        let stdoutPath = context.scratch.appendingPathComponent("stdout.log").path
        let stderrPath = context.scratch.appendingPathComponent("stderr.log").path
        let child = try ChildProcess.spawn(
            arguments: ["/bin/bash", "-c", context.params["cmd"]?.stringValue ?? ""],
            environment: environment, directory: context.workspace.path, stdout: stdoutPath, stderr: stderrPath)
        child.record(at: context.scratch.deletingLastPathComponent().appendingPathComponent(ChildProcess.recordName).path)
        context.onCancel { child.terminate() }
        let status = child.wait()
        child.killGroup()
        let outcome = ProcessOutcome(exitCode: status, lastStdout: Self.lastLine(of: stdoutPath), lastStderr: Self.lastLine(of: stderrPath))
        context.record(process: outcome)
        guard status == 0 else {
            let detail = outcome.lastStderr.isEmpty ? outcome.lastStdout : outcome.lastStderr
            throw EngineError.stageFailed(node: context.node, message: "command exited with status \(status)" + (detail.isEmpty ? "" : ": \(detail)"))
        }
        var points = try CommandMetrics.read(metricsFile: metricsPath, node: context.node)
        for (output, url) in context.outputs.sorted(by: { $0.key < $1.key }) {
            points += try CommandMetrics.read(trainerStateIn: url.path, output: output, node: context.node)
        }
        for point in points { context.metrics.record(point.name, step: point.step, value: point.value) }
    }

    /// The last non-empty line of a log file (reads at most its final 8 KiB).
    public static func lastLine(of path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 8192 ? size - 8192 : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        return lines.last.map { String($0.prefix(500)) } ?? ""
    }
}
