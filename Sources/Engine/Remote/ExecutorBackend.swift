import EngineCore
import Foundation

/// Where a backend says a job stands. The result file, not this, decides how a job ended.
public enum RemoteJobState: Equatable, Sendable {
    /// Waiting for resources.
    case queued
    /// Running on a worker.
    case running
    /// The scheduler says it ended (its state name, e.g. `COMPLETED`, `NODE_FAIL`, `PREEMPTED`).
    case ended(String)
    /// The scheduler no longer knows the job.
    case unknown
}

/// One job for a backend: a script that runs `rlhf run-node` on a worker, and what to reserve for it.
public struct RemoteJobRequest: Sendable {
    /// Job name shown by the scheduler (`rlhf-<node>`).
    public var name: String
    /// Node key and attempt (`<key>-<attempt>`, see `RemoteAttempt`): unique per attempt, never reused.
    public var submissionID: String
    /// The run directory (spec, result, logs): on the shared file system, or the driver's own without one.
    public var runDirectory: String
    /// The command the worker runs.
    public var command: [String]
    /// Working directory on the worker: the workspace root, or nil for a worker without the driver's file system
    /// (the scheduler's default directory; `run-node s3://…` makes its own).
    public var workingDirectory: String?
    /// The node's `"resources"` (cpus, gpus, memory, time, partition).
    public var resources: [String: JSONValue]
}

/// An executor backend: submits node jobs, polls many at once, cancels them, and re-attaches to a job
/// recorded by an earlier driver (a job id is all it needs). `local` runs in the driver and needs none of this.
public protocol ExecutorBackend: Sendable {
    /// The name used by `--executor` and `"executor"`.
    var name: String { get }
    /// Submits `request`; returns the scheduler's job id.
    func submit(_ request: RemoteJobRequest) throws -> String
    /// The state of every job in `ids`, in one scheduler call; ids it does not know map to `.unknown`.
    func poll(_ ids: [String]) throws -> [String: RemoteJobState]
    /// Cancels the jobs (already finished ones are ignored).
    func cancel(_ ids: [String]) throws
    /// The id of a job submitted under `submissionID`, if the scheduler still knows one (a driver killed between
    /// recording a pending run and learning its job id finds the job this way instead of submitting it twice).
    func find(submissionID: String) throws -> String?
    /// The last line the scheduler logged for job `id` (why a job without a result ended), if it keeps logs.
    func lastLogLine(_ id: String) -> String?
    /// The attempt to submit node key `key` as: `attempt`, or a later one when the scheduler already knows the
    /// submission id of `attempt` (an ended job keeps its id on Ray).
    func nextAttempt(key: String, from attempt: Int) throws -> Int
    /// Whether jobs need the driver's file system (the run directory holds the job script and its log).
    var needsSharedFileSystem: Bool { get }
}

extension ExecutorBackend {
    /// None: the job's own logs in its run directory say it all.
    public func lastLogLine(_ id: String) -> String? { nil }

    /// `attempt`: the scheduler gives every submission a fresh job id and keeps the submission id only as a label.
    public func nextAttempt(key: String, from attempt: Int) throws -> Int { attempt }

    /// Yes, unless the backend says otherwise.
    public var needsSharedFileSystem: Bool { true }
}

/// Runs a scheduler command line and returns its exit status, stdout and stderr.
struct SchedulerCommand {
    /// Runs `arguments` (found on PATH), waiting for it.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            throw EngineError.stageFailed(node: "?", message: "cannot run \(arguments[0]): \(error); is it installed and on PATH?")
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}

/// The backends by name (`local` is not among them: it runs in the driver).
public enum ExecutorBackends {
    /// Every executor name `--executor` and `"executor"` accept.
    public static let names = ["local", "slurm", "ray"]

    /// The backend called `name`, or nil for `local`; `rayAddress` is the Ray dashboard (default: `RayBackend.defaultAddress()`).
    public static func named(_ name: String, rayAddress: String? = nil) throws -> (any ExecutorBackend)? {
        switch name {
        case "local": return nil
        case "slurm": return SlurmBackend()
        case "ray": return try RayBackend(address: rayAddress ?? RayBackend.defaultAddress())
        default: throw EngineError.notFound(what: "executor '\(name)'", hint: "executors are: \(names.joined(separator: ", "))")
        }
    }
}
