import EngineCore
import Foundation

/// How a remote node's dispatch went, for the `done` line and the overhead figures.
struct RemoteDispatchTiming {
    /// Backend name.
    var backend: String
    /// The scheduler's job id.
    var jobId: String
    /// Attempt number (1 unless infrastructure failures forced resubmissions).
    var attempt: Int
    /// When the node became ready to run in the driver.
    var ready: Double
    /// When the worker started the stage.
    var workerStarted: Double
    /// When the worker wrote the result.
    var workerFinished: Double
    /// Whether the driver re-attached to a job submitted by an earlier driver.
    var reattached: Bool
}

/// One node handed to a backend: everything needed to submit it, follow it and turn its result file into a run.
final class RemoteNodeJob {
    /// The node.
    let node: Node
    /// Its kind.
    let kind: any StageKind
    /// The plan that decided to run it.
    let plan: NodePlan
    /// Why it runs.
    let reason: RebuildReason
    /// Consumed artifacts.
    let inputs: [FinishedRun.Input]
    /// When the node was handed over.
    let ready = Date().timeIntervalSince1970
    /// Current attempt.
    var attempt = 1
    /// Scheduler job id once submitted.
    var jobId = ""
    /// Run directory of the current attempt.
    var runDirectory = ""
    /// Since when the scheduler has said the job ended (or forgot it) while no result file exists.
    var lostSince: Date?
    /// Whether this driver re-attached to an earlier driver's job.
    var reattached = false

    /// Wraps a planned node.
    init(node: Node, kind: any StageKind, plan: NodePlan, reason: RebuildReason, inputs: [FinishedRun.Input]) {
        self.node = node
        self.kind = kind
        self.plan = plan
        self.reason = reason
        self.inputs = inputs
    }

    /// The node key in hex.
    var key: String { plan.key?.hex ?? "" }
}

/// Follows the remote jobs of one backend for a build: submits (recording the pending run in the catalog
/// first), re-attaches to a job an earlier driver recorded, polls every job in one backend call every
/// `interval` seconds, resubmits after infrastructure failures, and hands each finished job back as a
/// `NodeRunResult` built from its result file. Only the driver runs this; workers never touch the catalog.
final class RemoteDispatcher: @unchecked Sendable {
    /// The backend.
    let backend: any ExecutorBackend
    private let workspace: Workspace
    private let experiment: String
    /// The pipeline seed (a replicated node runs with its replica's seed instead).
    private let seed: UInt64
    private let interval: Double
    private let retries: Int
    private let output: @Sendable (String) -> Void
    private let deliver: (NodeRunResult) -> Void
    private let lock = NSLock()
    private var active: [RemoteNodeJob] = []
    private var cancelled = false
    private var poller: Thread?
    /// Keys this build submitted or attached to (other pending rows are orphans of a dead driver).
    private(set) var handledKeys = Set<String>()

    /// Creates a dispatcher; `deliver` receives every finished job (on the polling thread).
    init(backend: any ExecutorBackend, workspace: Workspace, experiment: String, seed: UInt64, interval: Double, retries: Int,
         output: @escaping @Sendable (String) -> Void, deliver: @escaping (NodeRunResult) -> Void) {
        self.backend = backend
        self.workspace = workspace
        self.experiment = experiment
        self.seed = seed
        self.interval = interval
        self.retries = retries
        self.output = output
        self.deliver = deliver
    }

    /// The directory holding remote run directories (on the workspace's file system, shared with workers).
    static func root(_ workspace: Workspace) -> String { workspace.stateDirectory + "/remote" }

    /// Submits `job`, or re-attaches to the job an earlier driver recorded for its key.
    func start(_ job: RemoteNodeJob) {
        lock.lock()
        handledKeys.insert(job.key)
        lock.unlock()
        do {
            var pending = try workspace.catalog.pendingRemoteRun(key: job.key)
            if var found = pending, found.backend == backend.name, found.jobId == nil,
               let id = try backend.find(submissionID: "\(found.key)-\(found.attempt)") {
                found.jobId = id
                try workspace.catalog.save(pending: found)
                pending = found
            }
            if let pending, pending.backend == backend.name, let id = pending.jobId {
                job.attempt = pending.attempt
                job.jobId = id
                job.runDirectory = pending.runDirectory
                job.reattached = true
                output("  attach   \(job.node.name)  (\(backend.name) job \(id), attempt \(job.attempt), submitted by an earlier build)")
            } else {
                if let pending { job.attempt = pending.attempt + 1 }
                try submit(job)
            }
        } catch {
            deliver(failure(job, "\(error)", infrastructure: true))
            return
        }
        lock.lock()
        active.append(job)
        if poller == nil {
            let thread = Thread { [self] in pollLoop() }
            thread.name = "rlhf-remote-poll"
            poller = thread
            thread.start()
        }
        lock.unlock()
    }

    private func submit(_ job: RemoteNodeJob) throws {
        let directory = Self.root(workspace) + "/\(job.node.name)-\(job.key.prefix(16))-a\(job.attempt)"
        try? FileSystem.remove(directory)
        try FileSystem.createDirectory(directory + "/out")
        let spec = RemoteNodeSpec(node: job.node.name, kind: job.kind.name, kindVersion: job.kind.version, params: job.node.canonicalParams, seed: job.node.replica?.seed ?? seed,
                                  workspace: workspace.rootPath, inputs: Dictionary(uniqueKeysWithValues: job.inputs.map { ($0.role, workspace.absolute($0.path)) }),
                                  outputs: Dictionary(uniqueKeysWithValues: job.node.outputs.keys.map { ($0, directory + "/out/" + $0) }),
                                  scratch: directory + "/scratch", result: directory + "/result.json",
                                  cpuFlags: Self.workerBinary == Self.ownBinary ? CPUFeatures.current() : [])
        let specPath = directory + "/spec.json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard FileManager.default.createFile(atPath: specPath, contents: try encoder.encode(spec)) else {
            throw EngineError.io(path: specPath, operation: "write node spec", errno: errno)
        }
        job.runDirectory = directory
        var pending = PendingRemoteRun(key: job.key, experiment: experiment, node: job.node.name, backend: backend.name, attempt: job.attempt,
                                       jobId: nil, runDirectory: directory, submitted: Date().timeIntervalSince1970)
        // Recorded before submission: a driver killed from here on finds the row and re-attaches or resubmits.
        try workspace.catalog.save(pending: pending)
        let request = RemoteJobRequest(name: "rlhf-\(job.node.name)", submissionID: "\(job.key)-\(job.attempt)", runDirectory: directory,
                                       command: [Self.workerBinary, "run-node", specPath], workingDirectory: workspace.rootPath, resources: job.node.resources)
        let id = try backend.submit(request)
        job.jobId = id
        job.lostSince = nil
        pending.jobId = id
        try workspace.catalog.save(pending: pending)
        output("  submit   \(job.node.name)  (\(backend.name) job \(id), attempt \(job.attempt))")
    }

    /// The binary workers run: `RLHF_WORKER_BINARY`, else this very executable (shared file system).
    /// A binary built elsewhere for the workers is trusted to fit their CPU; the driver's own binary is checked
    /// against the driver's CPU features on the worker.
    static var workerBinary: String {
        if let chosen = ProcessInfo.processInfo.environment["RLHF_WORKER_BINARY"], !chosen.isEmpty { return chosen }
        return ownBinary
    }

    /// This executable.
    static var ownBinary: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Cancels every job this dispatcher follows (SIGINT/SIGTERM): the scheduler stops them, their pending rows
    /// and run directories go, and each is handed back as interrupted, so nothing is registered.
    func cancelAll() {
        lock.lock()
        cancelled = true
        let jobs = active
        active.removeAll()
        lock.unlock()
        guard !jobs.isEmpty else { return }
        try? backend.cancel(jobs.map(\.jobId).filter { !$0.isEmpty })
        for job in jobs {
            try? workspace.catalog.removePendingRemoteRun(key: job.key)
            try? FileSystem.remove(job.runDirectory)
            output("  cancel   \(job.node.name)  (\(backend.name) job \(job.jobId))")
            var result = failure(job, "interrupted", infrastructure: false)
            result.interrupted = true
            deliver(result)
        }
    }

    /// Stops the polling thread once nothing is active (end of the build).
    func stop() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    private func pollLoop() {
        while true {
            lock.lock()
            let jobs = active
            let stop = cancelled
            lock.unlock()
            if stop { return }
            var finished: [RemoteNodeJob] = []
            var unresolved: [RemoteNodeJob] = []
            for job in jobs {
                if access(job.runDirectory + "/result.json", F_OK) == 0 { finished.append(job) } else { unresolved.append(job) }
            }
            if !unresolved.isEmpty, let states = try? backend.poll(unresolved.map(\.jobId)) {
                for job in unresolved {
                    switch states[job.jobId] ?? .unknown {
                    case .queued, .running:
                        job.lostSince = nil
                    case .ended, .unknown:
                        // The result file is the authority: give a shared file system a moment to show it.
                        if access(job.runDirectory + "/result.json", F_OK) == 0 {
                            finished.append(job)
                        } else if let since = job.lostSince, Date().timeIntervalSince(since) > max(3, 2 * interval) {
                            retryOrFail(job, state: states[job.jobId] ?? .unknown)
                        } else if job.lostSince == nil {
                            job.lostSince = Date()
                        }
                    }
                }
            }
            for job in finished {
                lock.lock()
                let stillActive = active.contains { $0 === job }
                active.removeAll { $0 === job }
                lock.unlock()
                if stillActive { deliver(complete(job)) }
            }
            Thread.sleep(forTimeInterval: finished.isEmpty ? interval : 0)
        }
    }

    /// An infrastructure failure (the job ended without a result: node failure, preemption, a crashed worker):
    /// resubmitted while attempts remain, otherwise the node fails.
    private func retryOrFail(_ job: RemoteNodeJob, state: RemoteJobState) {
        let limit = job.node.resources["retries"]?.intValue.map(Int.init) ?? retries
        let stderr = (RemoteWorker.lastLine(of: job.runDirectory + "/stderr.log") ?? backend.lastLogLine(job.jobId)).map { "; its last stderr line: \($0)" } ?? ""
        let what: String
        if case let .ended(name) = state { what = "scheduler state \(name)" + stderr } else { what = "vanished from the scheduler" + stderr }
        if job.attempt <= limit {
            output("  RETRY    \(job.node.name)  (\(backend.name) job \(job.jobId) without a result (\(what)); attempt \(job.attempt + 1) of \(limit + 1))")
            try? FileSystem.remove(job.runDirectory)
            job.attempt += 1
            do {
                try submit(job)
                return
            } catch {
                finishLost(job, "resubmission failed: \(error)")
                return
            }
        }
        finishLost(job, "\(backend.name) job \(job.jobId) ended without writing a result (\(what)), \(job.attempt) attempt\(job.attempt == 1 ? "" : "s"); see \(job.runDirectory)")
    }

    private func finishLost(_ job: RemoteNodeJob, _ message: String) {
        lock.lock()
        active.removeAll { $0 === job }
        lock.unlock()
        try? workspace.catalog.removePendingRemoteRun(key: job.key)
        deliver(failure(job, message, infrastructure: true))
    }

    /// Turns the result file of a finished job into a run: a failed node program is recorded as failed (never
    /// retried); on success the driver re-hashes the outputs, moves them into the store and stages the copies.
    private func complete(_ job: RemoteNodeJob) -> NodeRunResult {
        guard let result = RemoteNodeResult.read(job.runDirectory + "/result.json") else {
            try? workspace.catalog.removePendingRemoteRun(key: job.key)
            return failure(job, "the result file \(job.runDirectory)/result.json is unreadable", infrastructure: true)
        }
        let timing = RemoteDispatchTiming(backend: backend.name, jobId: job.jobId, attempt: job.attempt, ready: job.ready,
                                          workerStarted: result.started, workerFinished: result.finished, reattached: job.reattached)
        var outputs: [FinishedRun.Output] = []
        var staged: [StagedCopy] = []
        var error = result.error
        if result.exitStatus == 0 {
            do {
                let temporaries = Dictionary(uniqueKeysWithValues: job.node.outputs.keys.map { ($0, job.runDirectory + "/out/" + $0) })
                (outputs, staged) = try NodeRunJob.collect(node: job.node, temporaries: temporaries, workspace: workspace, isCancelled: { false })
                for output in outputs where result.outputs.first(where: { $0.name == output.name })?.hash != output.hash.hex {
                    throw EngineError.stageFailed(node: job.node.name, message: "output '\(output.name)' changed after the worker hashed it")
                }
            } catch let failure {
                staged.forEach { $0.discard() }
                (outputs, staged) = ([], [])
                error = "\(failure)"
            }
        } else if error == nil {
            error = "the worker exited with status \(result.exitStatus)"
        }
        try? FileSystem.remove(job.runDirectory)
        let run = RunRecord(id: nil, experiment: experiment, node: job.node.name, kind: job.kind.name, kindVersion: job.kind.version, key: job.key,
                            params: job.node.canonicalParams, seed: job.kind.usesRandomness ? Int64(bitPattern: job.node.replica?.seed ?? seed) : nil, status: "succeeded",
                            reason: job.reason.description + " [\(backend.name) job \(job.jobId) on \(result.host)]", started: result.started,
                            finished: result.finished, duration: result.finished - result.started, exitCode: result.exitCode,
                            lastStdout: result.lastStdout, lastStderr: result.lastStderr, error: nil, sourceRun: nil)
        let finished = FinishedRun(run: run, inputs: job.inputs, outputs: error == nil ? outputs : [], params: job.node.params, metrics: result.metrics,
                                   verdicts: result.verdicts, becomesHead: error == nil)
        return NodeRunResult(finished: finished, key: job.plan.key!, error: error, interrupted: false, staged: staged, remote: timing)
    }

    private func failure(_ job: RemoteNodeJob, _ message: String, infrastructure: Bool) -> NodeRunResult {
        let now = Date().timeIntervalSince1970
        let run = RunRecord(id: nil, experiment: experiment, node: job.node.name, kind: job.kind.name, kindVersion: job.kind.version, key: job.key,
                            params: job.node.canonicalParams, seed: job.kind.usesRandomness ? Int64(bitPattern: job.node.replica?.seed ?? seed) : nil, status: "succeeded",
                            reason: job.reason.description, started: job.ready, finished: now, duration: now - job.ready, exitCode: nil, lastStdout: nil,
                            lastStderr: nil, error: nil, sourceRun: nil)
        let finished = FinishedRun(run: run, inputs: job.inputs, outputs: [], params: job.node.params, metrics: [], verdicts: [], becomesHead: false)
        return NodeRunResult(finished: finished, key: job.plan.key ?? ContentHash(high: 0, low: 0),
                             error: infrastructure ? "infrastructure: \(message)" : message, interrupted: false)
    }
}
