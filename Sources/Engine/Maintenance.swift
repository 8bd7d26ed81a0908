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
    /// Each removed object with the node and path that made it (as the catalog recorded them).
    public var objects: [StoreObject] = []
}

/// A store object as `gc` and `verify --json` list it: its hash, size, where it came from and what was found.
public struct StoreObject: Codable, Sendable, Equatable {
    /// The object's hash.
    public var hash: String
    /// Size in bytes.
    public var size: Int64
    /// The node that made it (`-` when the catalog has no record of it).
    public var node: String
    /// The workspace path it was made at (`-` when unknown).
    public var path: String
    /// `ok` or `corrupt` (verify); `removed` or `would remove` (gc).
    public var status: String
}

/// One corrupted object found by `rlhf verify`.
public struct CorruptObject: Codable, Sendable, Equatable {
    /// The name the object is stored under.
    public var expected: String
    /// The hash its bytes have now (or why it cannot be hashed).
    public var actual: String
}

/// A materialised workspace output whose bytes differ from what its node's current run made.
public struct ModifiedOutput: Codable, Sendable, Equatable {
    /// Workspace-relative path.
    public var path: String
    /// The node that made it.
    public var node: String
    /// The hash its node's current run recorded.
    public var expected: String
    /// The hash it has now (`missing` when it is gone).
    public var actual: String
}

/// What `rlhf verify` found and (with `--repair`) did.
public struct VerifyReport: Codable, Sendable, Equatable {
    /// Objects rehashed.
    public var checked: Int
    /// Objects whose bytes no longer match their name.
    public var corrupt: [CorruptObject]
    /// Materialised outputs checked.
    public var checkedOutputs: Int
    /// Materialised outputs that differ from their recorded hash.
    public var modified: [ModifiedOutput]
    /// Outputs whose recorded update a killed build left staged next to them (`.rlhf-tmp-*`
    /// holding exactly the recorded bytes): not damage; the next build (or `--repair`) completes them.
    public var pending: [String] = []
    /// What `--repair` did, one line each.
    public var repairs: [String]
    /// Every object checked, with its node, path and status.
    public var objects: [StoreObject] = []

    /// Whether the store and the workspace outputs are intact.
    public var clean: Bool { corrupt.isEmpty && modified.isEmpty }
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
            let size = workspace.store.size(of: hash)
            report.bytes += size
            report.removed.append(hash.hex)
            let origin = try workspace.catalog.origin(ofArtifact: hash.hex)
            report.objects.append(StoreObject(hash: hash.hex, size: size, node: origin?.node ?? "-", path: origin?.path ?? "-",
                                              status: dryRun ? "would remove" : "removed"))
            if !dryRun { try workspace.store.remove(hash) }
        }
        return report
    }

    /// Rehashes every object in the store (a symlink or special file inside one counts as corrupt)
    /// and, given the pipeline, every stored output its nodes' current runs materialised in the
    /// workspace, bypassing the stat cache. With `repair` (which takes the build lock): a corrupt
    /// object is restored from an intact workspace copy when one exists, else dropped and the runs
    /// that made it forgotten, so the next build reruns exactly those nodes; a modified output is
    /// copied back from its intact object.
    public static func verify(workspace: Workspace, pipeline: Pipeline? = nil, repair: Bool = false) throws -> VerifyReport {
        let lock = repair ? try workspace.lock() : nil
        defer { lock?.release() }
        let objects = workspace.store.allObjects()
        var corrupt: [CorruptObject] = []
        for hash in objects {
            let path = workspace.store.path(of: hash)
            if let link = FileSystem.firstNonRegular(under: path) {
                corrupt.append(CorruptObject(expected: hash.hex, actual: "symlink or special file at \(link)"))
                continue
            }
            let actual = (try? FileHasher().hash(path: path)) ?? nil
            if actual != hash { corrupt.append(CorruptObject(expected: hash.hex, actual: actual?.hex ?? "unreadable")) }
        }
        var report = VerifyReport(checked: objects.count, corrupt: corrupt, checkedOutputs: 0, modified: [], repairs: [])
        let corruptHashes = Set(corrupt.map(\.expected))
        report.objects = try objects.map { hash in
            let origin = try workspace.catalog.origin(ofArtifact: hash.hex)
            return StoreObject(hash: hash.hex, size: workspace.store.size(of: hash), node: origin?.node ?? "-", path: origin?.path ?? "-",
                               status: corruptHashes.contains(hash.hex) ? "corrupt" : "ok")
        }
        var outputs: [(node: String, path: String, hash: ContentHash)] = []
        if let pipeline {
            let heads = try workspace.catalog.heads(experiment: pipeline.experiment)
            for name in pipeline.order {
                guard let node = pipeline.nodes[name], node.kind != FileKind().name, let head = heads[name] else { continue }
                for (output, path) in node.outputs.sorted(by: { $0.key < $1.key }) {
                    guard let hash = head.outputs[output] else { continue }
                    outputs.append((name, path, hash))
                    let actual = (try? FileHasher().hash(path: workspace.absolute(path))) ?? nil
                    guard actual != hash else { continue }
                    if let staged = stagedCopy(of: path, hash: hash, workspace: workspace) {
                        report.pending.append(path)
                        if repair, let destination = try? workspace.confinedDestination(path) {
                            try StagedCopy(temporary: staged, destination: destination, copied: []).commit()
                            report.repairs.append("completed the interrupted update of \(path)")
                        }
                        continue
                    }
                    report.modified.append(ModifiedOutput(path: path, node: name, expected: hash.hex, actual: actual?.hex ?? "missing"))
                }
            }
            report.checkedOutputs = outputs.count
        }
        if repair { try self.repair(&report, outputs: outputs, workspace: workspace) }
        return report
    }

    /// A `.rlhf-tmp-*` copy next to workspace path `path` whose bytes hash to `hash`, if any.
    private static func stagedCopy(of path: String, hash: ContentHash, workspace: Workspace) -> String? {
        let absolute = workspace.absolute(path)
        let parent = FileSystem.parent(of: absolute)
        let name = String(absolute.dropFirst(parent.count + 1))
        for candidate in FileSystem.names(in: parent, startingWith: [ContentStore.temporaryPrefix]).sorted()
        where candidate.hasSuffix("-" + name) && ((try? FileHasher().hash(path: parent + "/" + candidate)) ?? nil) == hash {
            return parent + "/" + candidate
        }
        return nil
    }

    private static func repair(_ report: inout VerifyReport, outputs: [(node: String, path: String, hash: ContentHash)], workspace: Workspace) throws {
        let store = workspace.store
        let modified = Set(report.modified.map(\.path))
        for bad in report.corrupt {
            let hash = ContentHash(hex: bad.expected)!
            try store.remove(hash)
            if let intact = outputs.first(where: { $0.hash == hash && !modified.contains($0.path) }) {
                try FileSystem.createDirectory(workspace.temporaryDirectory)
                let copy = workspace.temporaryDirectory + "/repair-" + hash.hex
                try? FileSystem.remove(copy)
                if case .plain(.directory) = FileHasher.linkKind(of: workspace.absolute(intact.path)) {
                    _ = try FileSystem.copyTreeHashing(workspace.absolute(intact.path), to: copy)
                } else {
                    _ = try FileSystem.copyHashing(workspace.absolute(intact.path), to: copy)
                }
                if try FileHasher().hash(path: copy) == hash {
                    try store.ingest(copy, as: hash)
                    report.repairs.append("restored object \(hash.hex) from \(intact.path)")
                    continue
                }
                try? FileSystem.remove(copy)
            }
            let forgotten = try workspace.catalog.forgetRuns(producing: hash, because: "output object \(hash.hex) was corrupt; dropped by `rlhf verify --repair`")
            report.repairs.append("dropped corrupt object \(hash.hex); forgot run\(forgotten.count == 1 ? "" : "s") \(forgotten.map(String.init).joined(separator: ", ")) (the next build reruns them)")
        }
        var refreshed: [String: FileHasher.CacheEntry] = [:]
        for entry in report.modified {
            let hash = ContentHash(hex: entry.expected)!
            guard store.contains(hash) else { continue }
            let destination = try workspace.confinedDestination(entry.path)
            for file in try store.materialise(hash, at: destination) {
                refreshed[workspace.absolute(entry.path) + file.path.dropFirst(destination.count)] = FileHasher.CacheEntry(fingerprint: file.fingerprint, hash: file.hash)
            }
            report.repairs.append("restored \(entry.path) from object \(hash.hex)")
        }
        try workspace.catalog.saveStatCache(refreshed)
    }
}
