import EngineCore
import Foundation

/// Slurm through its command-line tools: `sbatch --parsable` to submit, one `squeue` for every job
/// being polled, `scancel` to stop. Never `sbatch --wait` (it polls at up to 32 s and leaves the job
/// running when killed) and no `sacct` (accounting is often off): the result file says how a job ended.
public struct SlurmBackend: ExecutorBackend {
    /// `slurm`.
    public let name = "slurm"

    /// Creates the backend (the tools are found on PATH).
    public init() {}

    /// Writes `job.sh` into the run directory and submits it.
    public func submit(_ request: RemoteJobRequest) throws -> String {
        let script = request.runDirectory + "/job.sh"
        let body = "#!/bin/sh\n# \(request.submissionID)\nexec " + request.command.map(Self.quote).joined(separator: " ") + "\n"
        guard FileManager.default.createFile(atPath: script, contents: Data(body.utf8), attributes: [.posixPermissions: 0o755]) else {
            throw EngineError.io(path: script, operation: "write job script", errno: errno)
        }
        let arguments = ["sbatch", "--parsable", "--job-name", request.name] + (request.workingDirectory.map { ["--chdir", $0] } ?? [])
            + ["--output", request.runDirectory + "/slurm.out", "--comment", request.submissionID] + Self.resourceArguments(request.resources) + [script]
        let (status, stdout, stderr) = try SchedulerCommand.run(arguments)
        let id = stdout.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw EngineError.stageFailed(node: request.name, message: "sbatch failed (exit \(status)): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return id
    }

    /// One `squeue` call for all `ids`.
    public func poll(_ ids: [String]) throws -> [String: RemoteJobState] {
        guard !ids.isEmpty else { return [:] }
        let (status, stdout, stderr) = try SchedulerCommand.run(["squeue", "--noheader", "--states=all", "--format=%i %T", "--jobs", ids.joined(separator: ",")])
        if status != 0 {
            // squeue refuses a list in which no job is known any more.
            if stderr.contains("Invalid job id") { return Dictionary(uniqueKeysWithValues: ids.map { ($0, .unknown) }) }
            throw EngineError.stageFailed(node: "?", message: "squeue failed (exit \(status)): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return Self.parse(squeue: stdout, ids: ids)
    }

    /// Cancels with `scancel` (jobs already gone are fine).
    public func cancel(_ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        _ = try SchedulerCommand.run(["scancel"] + ids)
    }

    /// Looks the job up by the `--comment` it was submitted with.
    public func find(submissionID: String) throws -> String? {
        let (status, stdout, _) = try SchedulerCommand.run(["squeue", "--noheader", "--states=all", "--format=%i %k"])
        guard status == 0 else { return nil }
        return Self.job(withComment: submissionID, squeue: stdout)
    }

    /// The job id of the `squeue --format="%i %k"` line whose comment is `comment`; the latest (highest id) when an
    /// ended job still listed carries the same comment.
    static func job(withComment comment: String, squeue output: String) -> String? {
        var found: (id: String, number: Int)?
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2, fields[1] == comment else { continue }
            let number = Int(fields[0]) ?? -1
            if found == nil || number > found!.number { found = (fields[0], number) }
        }
        return found?.id
    }

    /// Maps `squeue --format="%i %T"` lines to states; ids missing from the output are `.unknown`.
    static func parse(squeue output: String, ids: [String]) -> [String: RemoteJobState] {
        var states = Dictionary(uniqueKeysWithValues: ids.map { ($0, RemoteJobState.unknown) })
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard fields.count >= 2, states[fields[0]] != nil else { continue }
            switch fields[1] {
            case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SUSPENDED":
                states[fields[0]] = .queued
            case "RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING":
                states[fields[0]] = .running
            default:
                states[fields[0]] = .ended(fields[1])
            }
        }
        return states
    }

    /// `sbatch` options for a node's resources.
    static func resourceArguments(_ resources: [String: JSONValue]) -> [String] {
        var arguments: [String] = []
        if let cpus = resources["cpus"]?.intValue { arguments.append("--cpus-per-task=\(cpus)") }
        if let gpus = resources["gpus"]?.intValue, gpus > 0 { arguments.append("--gres=gpu:\(gpus)") }
        if let memory = resources["memory"].flatMap(Self.text) { arguments.append("--mem=\(memory)") }
        if let time = resources["time"].flatMap(Self.text) { arguments.append("--time=\(time)") }
        if let partition = resources["partition"]?.stringValue { arguments.append("--partition=\(partition)") }
        return arguments
    }

    private static func text(_ value: JSONValue) -> String? {
        value.stringValue ?? value.intValue.map(String.init)
    }

    private static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
