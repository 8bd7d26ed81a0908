import EngineCore
import Foundation
import Logging

/// The worker side of a remote node (`rlhf run-node SPEC`): checks the CPU, runs the node's stage code
/// in this process with outputs in the run directory, hashes them, and writes the result file last, by
/// rename. It never opens the catalog or takes the workspace lock: only the driver does.
public enum RemoteWorker {
    /// Runs the node described at `specPath` with the kinds of `registry`; returns the process exit status
    /// (0 success, the program's exit code or 1 for a failed node, 2 when not even a result could be written).
    /// With `redirectOutput`, this process's stdout and stderr go to the run directory, for the tails.
    public static func run(specPath: String, registry: StageRegistry, redirectOutput: Bool = true) -> Int32 {
        let spec: RemoteNodeSpec
        do {
            spec = try RemoteNodeSpec.read(specPath)
        } catch {
            FileHandle.standardError.write(Data("rlhf run-node: \(error)\n".utf8))
            return 2
        }
        let runDirectory = FileSystem.parent(of: spec.result)
        let logs = (stdout: runDirectory + "/stdout.log", stderr: runDirectory + "/stderr.log")
        if redirectOutput {
            redirect(STDOUT_FILENO, to: logs.stdout)
            redirect(STDERR_FILENO, to: logs.stderr)
        }
        installIllegalInstructionHandler()
        let started = Date()
        var result = RemoteNodeResult(exitStatus: 1, error: nil, outputs: [], metrics: [], verdicts: [], exitCode: nil, lastStdout: nil,
                                      lastStderr: nil, host: ProcessInfo.processInfo.hostName, started: started.timeIntervalSince1970, finished: 0)
        var context: StageContext?
        do {
            if ProcessInfo.processInfo.environment["RLHF_SKIP_CPU_CHECK"] == nil,
               let problem = CPUFeatures.mismatch(required: spec.cpuFlags, available: CPUFeatures.current()) {
                throw EngineError.stageFailed(node: spec.node, message: problem)
            }
            guard let kind = registry.kind(named: spec.kind) else {
                throw EngineError.stageFailed(node: spec.node, message: "this rlhf binary has no kind '\(spec.kind)'; build the worker binary from the driver's revision")
            }
            guard kind.version == spec.kindVersion else {
                throw EngineError.stageFailed(node: spec.node, message: "the worker's kind '\(spec.kind)' is version \(kind.version) but the driver keyed it with version \(spec.kindVersion); rebuild the worker binary from the driver's revision")
            }
            try FileSystem.createDirectory(spec.scratch)
            for path in spec.outputs.values { try FileSystem.createDirectory(FileSystem.parent(of: path)) }
            var logger = Logger(label: "rlhf.\(spec.node)")
            logger[metadataKey: "node"] = .string(spec.node)
            let stage = StageContext(node: spec.node, workspace: URL(fileURLWithPath: spec.workspace), inputs: spec.inputs.mapValues { URL(fileURLWithPath: $0) },
                                     outputs: spec.outputs.mapValues { URL(fileURLWithPath: $0) }, params: try spec.parsedParams(path: specPath), seed: spec.seed, logger: logger,
                                     metrics: MetricsSink(), progress: ProgressReporter(label: spec.node), scratch: URL(fileURLWithPath: spec.scratch))
            context = stage
            installTerminationHandler(stage)
            try kind.run(stage)
            if stage.isCancelled { throw EngineError.interrupted(signal: SIGTERM) }
            result.outputs = try hashOutputs(spec)
            result.exitStatus = 0
        } catch {
            result.error = "\(error)"
            result.outputs = []
        }
        if let context {
            result.metrics = context.metrics.recorded
            result.verdicts = context.verdicts
            if let outcome = context.processOutcome {
                result.exitCode = outcome.exitCode
                result.lastStdout = outcome.lastStdout
                result.lastStderr = outcome.lastStderr
                if result.exitStatus != 0 && outcome.exitCode != 0 { result.exitStatus = outcome.exitCode }
            }
        }
        fflush(stdout)
        result.lastStdout = result.lastStdout ?? lastLine(of: logs.stdout)
        result.lastStderr = result.lastStderr ?? lastLine(of: logs.stderr)
        result.finished = Date().timeIntervalSince1970
        try? FileSystem.remove(spec.scratch)
        do {
            try result.write(to: spec.result)
        } catch {
            FileHandle.standardError.write(Data("rlhf run-node: cannot write \(spec.result): \(error)\n".utf8))
            return 2
        }
        return result.exitStatus
    }

    /// Checks and hashes every declared output where the stage wrote it.
    static func hashOutputs(_ spec: RemoteNodeSpec) throws -> [RemoteNodeResult.Output] {
        let hasher = FileHasher()
        var outputs: [RemoteNodeResult.Output] = []
        for name in spec.outputs.keys.sorted() {
            let path = spec.outputs[name]!
            if let link = FileSystem.firstNonRegular(under: path) {
                throw EngineError.stageFailed(node: spec.node, message: "declared output '\(name)' " + (link == "." ? "is" : "holds \(link), which is")
                    + " a symlink or special file; outputs must be regular files and directories")
            }
            guard let hash = try hasher.hash(path: path) else {
                throw EngineError.stageFailed(node: spec.node, message: "declared output '\(name)' was not created (write it at $RLHF_OUT_\(CommandKind.environmentName(name)))")
            }
            let isDirectory: Bool
            if case .directory = FileHasher.kind(of: path) { isDirectory = true } else { isDirectory = false }
            outputs.append(.init(name: name, hash: hash.hex, size: FileSystem.treeSize(path), isDirectory: isDirectory))
        }
        return outputs
    }

    /// SIGTERM (what `scancel` sends first) cancels the stage: a command node's process group is killed.
    private static func installTerminationHandler(_ context: StageContext) {
        signal(SIGTERM, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        source.setEventHandler { context.cancel() }
        source.resume()
        terminationSource = source
    }

    /// An illegal instruction means the binary was built for another CPU: say so instead of a bare SIGILL.
    private static func installIllegalInstructionHandler() {
        signal(SIGILL) { _ in
            let message: StaticString = "rlhf run-node: illegal instruction: this rlhf binary was built with -target-cpu native for another CPU; build rlhf on a worker and set RLHF_WORKER_BINARY (see README, \"Running nodes on a cluster\")\n"
            _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
            _exit(132)
        }
    }

    nonisolated(unsafe) private static var terminationSource: DispatchSourceSignal?

    private static func redirect(_ descriptor: Int32, to path: String) {
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard file >= 0 else { return }
        dup2(file, descriptor)
        close(file)
    }

    /// The last non-empty line of the file at `path` (its final 4 KiB), or nil.
    static func lastLine(of path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 4096 ? size - 4096 : 0)
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init)
    }
}
