import EngineCore
import Foundation

/// What `rlhf push` did, node names by outcome (its `--json` output).
public struct PushSummary: Codable, Sendable, Equatable {
    /// Nodes whose entry this push wrote.
    public var pushed: [String] = []
    /// Nodes the cache already had (an entry under their key).
    public var alreadyCached: [String] = []
    /// Nodes not pushed because they are not up to date here (build them first).
    public var stale: [String] = []
    /// Push failures by node.
    public var errors: [String: String] = [:]

    /// One line: `pushed 9, already cached 3, stale 0, failed 0`.
    public var line: String {
        "pushed \(pushed.count), already cached \(alreadyCached.count), stale \(stale.count), failed \(errors.count)"
    }
}

extension Executor {
    /// `rlhf push`: pushes the current result of every up-to-date node of `targets` (all nodes when empty) that the cache
    /// keeps (not `file` or catalog-reading nodes): objects first, skipping those a `HEAD` finds, then the `ac/` entry
    /// with `If-None-Match: *`. Stale nodes are listed, not pushed. Takes no lock: it only reads the catalog and the store.
    public func push(targets: [String], cache settings: RemoteCacheSettings) throws -> PushSummary {
        let plan = try self.plan(targets: targets)
        let heads = try workspace.catalog.heads(experiment: pipeline.experiment)
        let cache = RemoteCache(settings: settings)
        var summary = PushSummary()
        for entry in plan.entries {
            guard let node = pipeline.nodes[entry.node], let kind = registry.kind(named: node.kind), RemoteCache.caches(kind) else { continue }
            guard entry.decision == .upToDate, let head = heads[entry.node] else {
                summary.stale.append(entry.node)
                output("  stale    \(entry.node)  (not up to date here; build it first)")
                continue
            }
            let started = Date()
            do {
                guard let draft = try workspace.catalog.cacheDraft(run: head.runId, store: workspace.store, rlhfVersion: settings.rlhfVersion) else {
                    summary.alreadyCached.append(entry.node)
                    output("  push     \(entry.node)  (served by the remote cache; nothing to push)")
                    continue
                }
                let report = try cache.push(draft, store: workspace.store)
                output(RemoteCache.describe(report, node: entry.node, seconds: Date().timeIntervalSince(started)))
                if report.entry == .created { summary.pushed.append(entry.node) } else { summary.alreadyCached.append(entry.node) }
            } catch {
                summary.errors[entry.node] = "\(error)"
                output("  FAILED   push \(entry.node): \(error)")
            }
        }
        return summary
    }
}
