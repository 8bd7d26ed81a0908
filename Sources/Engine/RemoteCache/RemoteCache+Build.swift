import EngineCore
import Foundation
import S3

extension RemoteCache {
    /// The start of the `reason` of a run served by the remote cache (`rlhf runs`, `show`, `trace` print it whole).
    static let reasonPrefix = "remote cache "

    /// Serves `node` (planned to run under `plan.key`) from the cache: downloads and verifies its objects into the
    /// store and stages copies at its workspace paths. Returns the run to record (status `reused`, the producer in its
    /// reason, the entry's metrics and verdicts) or, on a miss, a result that hands `plan` back to be run.
    func serve(node: Node, kind: any StageKind, plan: NodePlan, inputs: [FinishedRun.Input], experiment: String, seed: UInt64,
               workspace: Workspace, output: @Sendable (String) -> Void) -> NodeRunResult {
        let started = Date()
        let key = plan.key!
        let scratch = workspace.temporaryDirectory + "/remote-\(node.name)-\(UUID().uuidString.prefix(8))"
        let lookup = fetch(key: key.hex, node: node, store: workspace.store, scratch: scratch)
        guard case let .hit(entry, bytes) = lookup else {
            if case let .miss(reason) = lookup, reason != "not in the cache" { output("  remote   \(node.name)  miss: \(reason); running it") }
            return NodeRunResult.remoteMiss(plan, node: node, kind: kind, experiment: experiment)
        }
        var staged: [StagedCopy] = []
        var outputs: [FinishedRun.Output] = []
        do {
            for produced in entry.outputs.sorted(by: { $0.name < $1.name }) {
                let hash = ContentHash(hex: produced.hash)!
                staged.append(try workspace.store.stage(hash, at: try workspace.confinedDestination(node.outputs[produced.name]!)))
                outputs.append(FinishedRun.Output(name: produced.name, path: node.outputs[produced.name]!, hash: hash, size: produced.size,
                                                  isDirectory: produced.isDirectory, stored: true))
            }
        } catch {
            staged.forEach { $0.discard() }
            output("  remote   \(node.name)  miss: cannot place the cached outputs (\(error)); running it")
            return NodeRunResult.remoteMiss(plan, node: node, kind: kind, experiment: experiment)
        }
        let finished = Date()
        let reason = Self.reasonPrefix + "\(settings.location): built by \(entry.producer.summary)"
        let run = RunRecord(id: nil, experiment: experiment, node: node.name, kind: kind.name, kindVersion: kind.version, key: key.hex, params: node.canonicalParams,
                            seed: kind.usesRandomness ? Int64(bitPattern: seed) : nil, status: "reused", reason: reason,
                            started: started.timeIntervalSince1970, finished: finished.timeIntervalSince1970, duration: finished.timeIntervalSince(started),
                            exitCode: entry.exitCode, lastStdout: entry.lastStdout, lastStderr: entry.lastStderr, error: nil, sourceRun: nil)
        let record = FinishedRun(run: run, inputs: inputs, outputs: outputs, params: node.params, metrics: entry.metrics, verdicts: entry.verdicts, becomesHead: true)
        var result = NodeRunResult(finished: record, key: key, error: nil, interrupted: false, staged: staged)
        result.remoteCacheLine = String(format: "  remote   \(node.name)  (built by \(entry.producer.user)@\(entry.producer.host) at \(entry.producer.built); "
            + "%.1f kB in %.2fs)", Double(bytes) / 1000, finished.timeIntervalSince(started))
        return result
    }

    /// Queues the push of recorded run `runId` (objects, then the entry); `output` gets one line when it is done.
    /// Failures are warnings: a build never fails because the cache could not be written.
    func schedulePush(run runId: Int64, node: String, workspace: Workspace, output: @escaping @Sendable (String) -> Void) {
        enqueuePush { [self] in
            let started = Date()
            do {
                guard let draft = try workspace.catalog.cacheDraft(run: runId, store: workspace.store, rlhfVersion: settings.rlhfVersion) else { return }
                let report = try push(draft, store: workspace.store)
                output(Self.describe(report, node: node, seconds: Date().timeIntervalSince(started)))
            } catch {
                output("  warning: push of \(node) to \(settings.location) failed: \(error)")
            }
        }
    }

    /// `  push     sft  (3 objects, 1.2 MB, 0.41s; 1 already there)`.
    static func describe(_ report: PushReport, node: String, seconds: Double) -> String {
        switch report.entry {
        case nil:
            return "  push     \(node)  (already in the cache)"
        case .alreadyExists?:
            return String(format: "  push     \(node)  (%d objects, %.1f kB, %.2fs; another writer's entry won)", report.uploaded, Double(report.bytes) / 1000, seconds)
        case .created?:
            return String(format: "  push     \(node)  (%d objects, %.1f kB, %.2fs", report.uploaded, Double(report.bytes) / 1000, seconds)
                + (report.present > 0 ? "; \(report.present) already there)" : ")")
        }
    }
}

extension NodeRunResult {
    /// The result of a remote-cache miss: nothing to record; the scheduler runs `plan` instead.
    static func remoteMiss(_ plan: NodePlan, node: Node, kind: any StageKind, experiment: String) -> NodeRunResult {
        let run = RunRecord(id: nil, experiment: experiment, node: node.name, kind: kind.name, kindVersion: kind.version, key: plan.key?.hex ?? "",
                            params: node.canonicalParams, seed: nil, status: "succeeded", reason: "", started: 0, finished: 0, duration: 0, exitCode: nil,
                            lastStdout: nil, lastStderr: nil, error: nil, sourceRun: nil)
        var result = NodeRunResult(finished: FinishedRun(run: run, inputs: [], outputs: [], params: [:], metrics: [], verdicts: [], becomesHead: false),
                                   key: plan.key ?? ContentHash(high: 0, low: 0), error: nil, interrupted: false)
        result.remoteCacheMiss = plan
        return result
    }
}
