import EngineCore
import Foundation
import GRDB

extension Catalog {
    /// The cache entry for run `id`, all but the SHA-256s (`RemoteCache.push` computes them): its outputs, and the
    /// metrics, verdicts, exit code and producer of the run that computed them (a reused run's source, followed back).
    /// Nil when the run did not succeed or was itself served by the remote cache (its entry is already there).
    func cacheDraft(run id: Int64, store: ContentStore, rlhfVersion: String) throws -> RemoteCacheEntry? {
        try read { db in
            let head = try Self.detail(db, id, metrics: false)
            guard head.run.status == "succeeded" || head.run.status == "reused", !head.run.reason.hasPrefix(RemoteCache.reasonPrefix) else { return nil }
            var computed = head
            var hops = 0
            while hops < 64, let source = computed.run.sourceRun {
                computed = try Self.detail(db, source, metrics: false)
                hops += 1
            }
            let metrics = try MetricRecord.fetchAll(db, sql: "SELECT * FROM metrics WHERE runId = ? ORDER BY name, step", arguments: [computed.run.id ?? id])
                .map { MetricPoint(name: $0.name, step: $0.step, value: $0.value) }
            let outputs = head.outputs.map { output -> RemoteCacheEntry.Output in
                let isDirectory: Bool
                if case .directory = FileHasher.kind(of: store.path(of: ContentHash(hex: output.artifact) ?? ContentHash(high: 0, low: 0))) { isDirectory = true } else { isDirectory = false }
                return RemoteCacheEntry.Output(name: output.name, hash: output.artifact, size: output.size, isDirectory: isDirectory, sha256: "")
            }
            let producer = RemoteCacheProducer.local(experiment: computed.run.experiment, finished: computed.run.finished, seconds: computed.run.duration,
                                                     rlhfVersion: rlhfVersion)
            return RemoteCacheEntry(format: RemoteCacheEntry.currentFormat, key: head.run.key, node: head.run.node, kind: head.run.kind,
                                    kindVersion: head.run.kindVersion, outputs: outputs, metrics: metrics, verdicts: computed.gates, exitStatus: 0,
                                    exitCode: computed.run.exitCode, lastStdout: computed.run.lastStdout, lastStderr: computed.run.lastStderr, producer: producer)
        }
    }
}
