import EngineCore
import Foundation

extension RemoteDispatcher {
    /// Whether a job's result is here.
    enum ResultCheck {
        /// `result.json` is in the run directory (with the outputs beside it when the job succeeded).
        case ready
        /// No result yet.
        case absent
        /// A result came through the cache but its outputs did not (an infrastructure failure).
        case broken(String)
    }

    /// Looks for `job`'s result: the result file in its run directory, or, when data moves through the cache, the
    /// worker's `runs/<id>/result.json`, whose outputs are then downloaded and verified (SHA-256, then XXH3) into
    /// the run directory, followed by a local copy of the result, so that `complete` reads both as on a shared file system.
    func checkResult(_ job: RemoteNodeJob) -> ResultCheck {
        if access(job.resultPath, F_OK) == 0 { return .ready }
        guard let transfer, let id = job.cacheRun, let found = try? transfer.result(id: id) else { return .absent }
        do {
            if found.exitStatus == 0 {
                let declared = Set(job.node.outputs.keys)
                guard Set(found.outputs.map(\.name)) == declared, found.outputs.count == declared.count else {
                    throw EngineError.stageFailed(node: job.node.name, message: "the worker's result names outputs \(found.outputs.map(\.name).sorted()) "
                        + "but the node declares \(declared.sorted())")
                }
                try FileSystem.createDirectory(job.runDirectory + "/out")
                try transfer.downloadOutputs(of: found, into: job.runDirectory + "/out")
            }
            try found.write(to: job.resultPath)
            return .ready
        } catch {
            try? FileSystem.remove(job.runDirectory + "/out")
            return .broken("bringing its outputs from \(transfer.settings.location) failed: \(error)")
        }
    }

    /// Turns the result of a finished job into a run: a failed node program is recorded as failed (never retried); on
    /// success the driver re-hashes the outputs, moves them into the store and stages the copies.
    func complete(_ job: RemoteNodeJob) -> NodeRunResult {
        defer { if let id = job.cacheRun { transfer?.removeRun(id: id) } }
        guard let result = RemoteNodeResult.read(job.resultPath) else {
            try? workspace.catalog.removePendingRemoteRun(key: job.key)
            return failure(job, "the result file \(job.resultPath) is unreadable", infrastructure: true)
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

    /// A run of `job` that failed before any result (`infrastructure`: the scheduler or the transfer, not the node's program).
    func failure(_ job: RemoteNodeJob, _ message: String, infrastructure: Bool) -> NodeRunResult {
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
