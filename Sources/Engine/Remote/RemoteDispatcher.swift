import EngineCore
import Foundation

/// Follows the remote jobs of one backend for a build: submits (recording the pending run in the catalog
/// first), re-attaches to a live job an earlier driver recorded, polls every job in one backend call every
/// `interval` seconds, resubmits after infrastructure failures, and hands each finished job back as a
/// `NodeRunResult` built from its result. Every attempt is submitted under a submission id the scheduler has not
/// seen (`RemoteAttempt`). With a `transfer` cache the workers share nothing with the driver: inputs, spec, outputs
/// and result travel through the content cache. Only the driver runs this; workers never touch the catalog.
final class RemoteDispatcher: @unchecked Sendable {
    /// The backend.
    let backend: any ExecutorBackend
    /// The workspace whose catalog records the pending runs.
    let workspace: Workspace
    /// The experiment runs are recorded under.
    let experiment: String
    /// The pipeline seed (a replicated node runs with its replica's seed instead).
    let seed: UInt64
    /// The content cache that carries a node's data when workers do not share the driver's file system, else nil.
    let transfer: RemoteCache?
    /// Prints a node line.
    let output: @Sendable (String) -> Void
    private let interval: Double
    private let retries: Int
    private let deliver: (NodeRunResult) -> Void
    private let lock = NSLock()
    private var active: [RemoteNodeJob] = []
    private var cancelled = false
    private var poller: Thread?
    /// Keys this build submitted or attached to (other pending rows are orphans of a dead driver).
    private(set) var handledKeys = Set<String>()

    /// Creates a dispatcher; `deliver` receives every finished job (on the polling thread).
    init(backend: any ExecutorBackend, workspace: Workspace, experiment: String, seed: UInt64, interval: Double, retries: Int,
         transfer: RemoteCache? = nil, output: @escaping @Sendable (String) -> Void, deliver: @escaping (NodeRunResult) -> Void) {
        self.backend = backend
        self.workspace = workspace
        self.experiment = experiment
        self.seed = seed
        self.interval = interval
        self.retries = retries
        self.transfer = transfer
        self.output = output
        self.deliver = deliver
    }

    /// The directory holding remote run directories (on the workspace's file system, shared with workers if they share it).
    static func root(_ workspace: Workspace) -> String { workspace.stateDirectory + "/remote" }

    /// Re-attaches `job` to the live job an earlier driver recorded for its key, or submits a new attempt.
    func start(_ job: RemoteNodeJob) {
        lock.lock()
        handledKeys.insert(job.key)
        lock.unlock()
        do {
            if try !resume(job) { try submit(job) }
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

    /// Follows the job of the pending run an earlier driver recorded for `job`'s key when it is still queued or
    /// running or left its result (true); otherwise sets the attempt to submit next and returns false.
    private func resume(_ job: RemoteNodeJob) throws -> Bool {
        guard let pending = try workspace.catalog.pendingRemoteRun(key: job.key) else { return false }
        job.attempt = pending.attempt
        job.runDirectory = pending.runDirectory
        job.cacheRun = pending.cacheRun
        guard pending.backend == backend.name else {
            // Recorded for another backend (the node's executor changed): follow up with a new attempt here.
            discardRun(job)
            job.attempt += 1
            return false
        }
        let found = try pending.jobId ?? backend.find(submissionID: job.submissionID)
        let state = try found.map { id in try backend.poll([id])[id] ?? .unknown }
        let hasResult: Bool
        if case .ready = checkResult(job) { hasResult = true } else { hasResult = false }
        switch RemoteAttempt.resume(attempt: pending.attempt, jobId: found, state: state, hasResult: hasResult, submissionID: job.submissionID) {
        case let .attach(id):
            job.jobId = id
            job.reattached = true
            if pending.jobId != id {
                var known = pending
                known.jobId = id
                try workspace.catalog.save(pending: known)
            }
            output("  attach   \(job.node.name)  (\(backend.name) job \(id), attempt \(job.attempt), submitted by an earlier build)")
            return true
        case let .resubmit(attempt, failed):
            discardRun(job)
            job.attempt = attempt
            guard failed else { return false }
            job.failures += 1
            let limit = retryLimit(job)
            let what = "\(backend.name) job \(found ?? "?") of an earlier build ended without a result (\(Self.describe(state)))"
            guard job.failures <= limit else {
                try? workspace.catalog.removePendingRemoteRun(key: job.key)
                throw EngineError.stageFailed(node: job.node.name, message: "\(what), and --remote-retries/\"retries\" is \(limit)")
            }
            output("  RETRY    \(job.node.name)  (\(what); retry \(job.failures) of \(limit))")
            return false
        }
    }

    /// Submits `job.attempt` (or the next attempt the scheduler has not seen): a fresh run directory, the pending
    /// row, the spec (in the run directory, or published to the cache with the inputs), then the job.
    private func submit(_ job: RemoteNodeJob) throws {
        job.attempt = try backend.nextAttempt(key: job.key, from: job.attempt)
        let directory = Self.root(workspace) + "/\(job.node.name)-\(job.key.prefix(16))-a\(job.attempt)"
        try? FileSystem.remove(directory)
        try FileSystem.createDirectory(directory + "/out")
        job.runDirectory = directory
        job.cacheRun = transfer == nil ? nil : job.submissionID + "-" + String(UInt32.random(in: .min ... .max), radix: 16)
        job.lostSince = nil
        var pending = PendingRemoteRun(key: job.key, experiment: experiment, node: job.node.name, backend: backend.name, attempt: job.attempt,
                                       jobId: nil, runDirectory: directory, submitted: Date().timeIntervalSince1970, cacheRun: job.cacheRun)
        // Recorded before submission: a driver killed from here on finds the row and re-attaches or resubmits.
        try workspace.catalog.save(pending: pending)
        let specLocation: String
        if let transfer, let id = job.cacheRun {
            specLocation = try transfer.publish(spec: try cacheSpec(job, transfer: transfer), id: id)
        } else {
            specLocation = try writeSpec(job)
        }
        let request = RemoteJobRequest(name: "rlhf-\(job.node.name)", submissionID: job.submissionID, runDirectory: directory,
                                       command: [Self.workerBinary, "run-node", specLocation], workingDirectory: transfer == nil ? workspace.rootPath : nil,
                                       resources: job.node.resources)
        let id = try backend.submit(request)
        job.jobId = id
        pending.jobId = id
        try workspace.catalog.save(pending: pending)
        output("  submit   \(job.node.name)  (\(backend.name) job \(id), attempt \(job.attempt)\(transfer == nil ? "" : ", data through the cache"))")
    }

    /// The spec of `job`'s current attempt for a worker on the shared file system.
    private func spec(_ job: RemoteNodeJob) -> RemoteNodeSpec {
        let directory = job.runDirectory
        return RemoteNodeSpec(node: job.node.name, kind: job.kind.name, kindVersion: job.kind.version, params: job.node.canonicalParams,
                              seed: job.node.replica?.seed ?? seed, workspace: workspace.rootPath,
                              inputs: Dictionary(uniqueKeysWithValues: job.inputs.map { ($0.role, workspace.absolute($0.path)) }),
                              outputs: Dictionary(uniqueKeysWithValues: job.node.outputs.keys.map { ($0, directory + "/out/" + $0) }),
                              scratch: directory + "/scratch", result: job.resultPath,
                              cpuFlags: Self.workerBinary == Self.ownBinary ? CPUFeatures.current() : [])
    }

    /// Writes the spec into the run directory; returns its path.
    private func writeSpec(_ job: RemoteNodeJob) throws -> String {
        let path = job.runDirectory + "/spec.json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard FileManager.default.createFile(atPath: path, contents: try encoder.encode(spec(job))) else {
            throw EngineError.io(path: path, operation: "write node spec", errno: errno)
        }
        return path
    }

    /// The spec for a worker without the driver's file system: no workspace, the inputs pushed to the cache and named
    /// by hash, and only names for the paths the worker chooses itself.
    private func cacheSpec(_ job: RemoteNodeJob, transfer: RemoteCache) throws -> RemoteNodeSpec {
        var spec = spec(job)
        spec.workspace = ""
        spec.inputs = Dictionary(uniqueKeysWithValues: job.inputs.map { ($0.role, $0.path) })
        spec.outputs = Dictionary(uniqueKeysWithValues: job.node.outputs.keys.map { ($0, "out/" + $0) })
        spec.scratch = "scratch"
        spec.result = "result.json"
        spec.cache = try transfer.uploadInputs(job.inputs, workspace: workspace)
        return spec
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

    /// Cancels every job this dispatcher follows (SIGINT/SIGTERM): the scheduler stops them, their pending rows,
    /// run directories and cache runs go, and each is handed back as interrupted, so nothing is registered.
    func cancelAll() {
        lock.lock()
        cancelled = true
        let jobs = active
        active.removeAll()
        lock.unlock()
        guard !jobs.isEmpty else { return }
        stopJobs(jobs.map(\.jobId).filter { !$0.isEmpty })
        for job in jobs {
            try? workspace.catalog.removePendingRemoteRun(key: job.key)
            discardRun(job)
            output("  cancel   \(job.node.name)  (\(backend.name) job \(job.jobId))")
            var result = failure(job, "interrupted", infrastructure: false)
            result.interrupted = true
            deliver(result)
        }
    }

    /// Stops `ids` and waits until the scheduler shows none of them queued or running, stopping the live ones again
    /// every half second (Ray ignores a stop that arrives before a job's supervisor has started); gives up with a
    /// warning after 15 s (such a job finds its spec gone and exits).
    private func stopJobs(_ ids: [String]) {
        var live = ids
        let deadline = Date().addingTimeInterval(15)
        while !live.isEmpty {
            try? backend.cancel(live)
            Thread.sleep(forTimeInterval: 0.5)
            guard let states = try? backend.poll(live) else { return }
            live = live.filter { states[$0] == .queued || states[$0] == .running }
            if !live.isEmpty, Date() > deadline {
                output("  warning: \(backend.name) still shows job\(live.count == 1 ? "" : "s") \(live.joined(separator: ", ")) queued or running 15 s after the stop")
                return
            }
        }
    }

    /// Stops the polling thread once nothing is active (end of the build).
    func stop() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    /// Removes the run directory and the cache run of `job`'s current attempt.
    func discardRun(_ job: RemoteNodeJob) {
        if !job.runDirectory.isEmpty { try? FileSystem.remove(job.runDirectory) }
        if let id = job.cacheRun { transfer?.removeRun(id: id) }
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
                switch checkResult(job) {
                case .ready: finished.append(job)
                case .absent: unresolved.append(job)
                case let .broken(problem): retryOrFail(job, what: problem)
                }
            }
            if !unresolved.isEmpty, let states = try? backend.poll(unresolved.map(\.jobId)) {
                for job in unresolved {
                    let state = states[job.jobId] ?? .unknown
                    switch state {
                    case .queued, .running:
                        job.lostSince = nil
                    case .ended, .unknown:
                        // The result is the authority: give a shared file system (or the cache) a moment to show it.
                        if case .ready = checkResult(job) {
                            finished.append(job)
                        } else if let since = job.lostSince, Date().timeIntervalSince(since) > max(3, 2 * interval) {
                            let stderr = (RemoteWorker.lastLine(of: job.runDirectory + "/stderr.log") ?? backend.lastLogLine(job.jobId)).map { "; its last stderr line: \($0)" } ?? ""
                            retryOrFail(job, what: Self.describe(state) + stderr)
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

    /// `scheduler state NAME` or `vanished from the scheduler`.
    static func describe(_ state: RemoteJobState?) -> String {
        if case let .ended(name)? = state { return "scheduler state \(name)" }
        return "vanished from the scheduler"
    }

    private func retryLimit(_ job: RemoteNodeJob) -> Int {
        job.node.resources["retries"]?.intValue.map(Int.init) ?? retries
    }

    /// An infrastructure failure (the job ended without a result: node failure, preemption, a crashed worker, outputs
    /// that fail verification): resubmitted as a new attempt while retries remain, otherwise the node fails.
    private func retryOrFail(_ job: RemoteNodeJob, what: String) {
        lock.lock()
        let stillActive = active.contains { $0 === job } && !cancelled
        lock.unlock()
        guard stillActive else { return }
        let limit = retryLimit(job)
        job.failures += 1
        guard job.failures <= limit else {
            return finishLost(job, "\(backend.name) job \(job.jobId) ended without a usable result (\(what)), "
                + "\(job.failures) time\(job.failures == 1 ? "" : "s"); see \(job.runDirectory)")
        }
        output("  RETRY    \(job.node.name)  (\(backend.name) job \(job.jobId) without a result (\(what)); retry \(job.failures) of \(limit))")
        discardRun(job)
        job.attempt += 1
        do {
            try submit(job)
        } catch {
            return finishLost(job, "resubmission failed: \(error)")
        }
        lock.lock()
        let stopped = cancelled
        lock.unlock()
        // Interrupted while resubmitting: cancelAll saw the job before it had this id.
        if stopped {
            try? backend.cancel([job.jobId])
            try? workspace.catalog.removePendingRemoteRun(key: job.key)
            discardRun(job)
        }
    }

    private func finishLost(_ job: RemoteNodeJob, _ message: String) {
        lock.lock()
        active.removeAll { $0 === job }
        lock.unlock()
        try? workspace.catalog.removePendingRemoteRun(key: job.key)
        if let id = job.cacheRun { transfer?.removeRun(id: id) }
        deliver(failure(job, message, infrastructure: true))
    }
}
