import EngineCore
import Foundation

/// What `rlhf gc` removed (or would remove).
public struct GCReport: Codable, Sendable, Equatable {
    /// Removed object hashes.
    public var removed: [String]
    /// Bytes freed.
    public var bytes: Int64
    /// Objects kept.
    public var kept: Int
}

/// One corrupted object found by `rlhf verify`.
public struct CorruptObject: Codable, Sendable, Equatable {
    /// The name the object is stored under.
    public var expected: String
    /// The hash its bytes have now.
    public var actual: String
}

/// Store maintenance: garbage collection and verification.
public enum Maintenance {
    /// Removes objects that neither a head run of another experiment, nor a head or run of the
    /// current pipeline's nodes (with `keep`, only the newest `keep` runs per node) references.
    /// Takes the build lock.
    public static func collectGarbage(workspace: Workspace, pipeline: Pipeline, keep: Int?, dryRun: Bool) throws -> GCReport {
        let lock = try workspace.lock()
        defer { lock.release() }
        let referenced = try workspace.catalog.referencedArtifacts(experiment: pipeline.experiment, nodes: pipeline.order, keep: keep)
        var report = GCReport(removed: [], bytes: 0, kept: 0)
        for hash in workspace.store.allObjects() {
            if referenced.contains(hash.hex) {
                report.kept += 1
                continue
            }
            report.bytes += workspace.store.size(of: hash)
            report.removed.append(hash.hex)
            if !dryRun { try workspace.store.remove(hash) }
        }
        return report
    }

    /// Rehashes every object in the store; returns those whose bytes no longer match their name.
    public static func verify(workspace: Workspace) throws -> (checked: Int, corrupt: [CorruptObject]) {
        let objects = workspace.store.allObjects()
        var corrupt: [CorruptObject] = []
        for hash in objects {
            let actual = try FileHasher().hash(path: workspace.store.path(of: hash))
            if actual != hash { corrupt.append(CorruptObject(expected: hash.hex, actual: actual?.hex ?? "missing")) }
        }
        return (objects.count, corrupt)
    }
}
