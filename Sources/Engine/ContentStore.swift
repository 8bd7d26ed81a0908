import EngineCore
import Foundation

/// The content store `.rlhf/objects/<hash>`: immutable files and directory trees, written by
/// temp + fsync + rename and materialised at workspace paths by verified copy (or reflink).
public struct ContentStore: Sendable {
    /// The objects directory.
    public let root: String

    /// A store rooted at `root` (created if missing).
    public init(root: String) throws {
        self.root = root
        try FileSystem.createDirectory(root)
    }

    /// A store at `root` as it is, creating nothing (read-only workspaces).
    init(existing root: String) {
        self.root = root
    }

    /// Path of the object with `hash`.
    public func path(of hash: ContentHash) -> String {
        root + "/" + hash.hex
    }

    /// Whether the object with `hash` is present.
    public func contains(_ hash: ContentHash) -> Bool {
        access(path(of: hash), F_OK) == 0
    }

    /// Moves the finished file or directory at `source` (same file system) into the store as `hash`.
    /// The bytes are fsynced first; an existing object is kept and `source` removed.
    public func ingest(_ source: String, as hash: ContentHash) throws {
        let destination = path(of: hash)
        if contains(hash) {
            try FileSystem.remove(source)
            return
        }
        try FileSystem.syncTree(source, readOnly: true)
        try FileSystem.rename(source, to: destination)
        try FileSystem.syncDirectory(root)
    }

    /// Places a verified copy of object `hash` at the absolute path `destination` (whose parent
    /// the caller has confined to the workspace): `stage`, then `commit`.
    @discardableResult
    func materialise(_ hash: ContentHash, at destination: String) throws -> [CopiedFile] {
        try stage(hash, at: destination).commit()
    }

    /// The first half of materialising: a verified copy (or reflink) of object `hash` in the temp
    /// path next to `destination`, hashed while written and checked against the name, so a
    /// workspace edit can never reach the store and a corrupt object is never copied out. Nothing
    /// at `destination` changes until `commit`, which the executor calls only after the run is
    /// recorded; a build killed in between leaves the temp copy, which the next build completes
    /// (when the catalog says so) or removes. No temp path survives an error.
    func stage(_ hash: ContentHash, at destination: String) throws -> StagedCopy {
        let object = path(of: hash)
        let parent = FileSystem.parent(of: destination)
        let temporary = parent + "/" + Self.temporaryName(for: destination)
        try FileSystem.createDirectory(parent)
        try FileSystem.remove(temporary)
        var staged = false
        defer { if !staged { try? FileSystem.remove(temporary) } }
        let copied: [CopiedFile]
        switch FileHasher.linkKind(of: object) {
        case .missing, .plain(.missing):
            throw EngineError.notFound(what: "object \(hash.hex) in the store", hint: "run `rlhf build` to rebuild it")
        case .symlink, .special:
            throw EngineError.corruptObject(hash: hash.hex, actual: "a symlink or special file")
        case .plain(.file):
            let file = try FileSystem.copyHashing(object, to: temporary)
            guard file.hash == hash else { throw EngineError.corruptObject(hash: hash.hex, actual: file.hash.hex) }
            copied = [file]
        case .plain(.directory):
            copied = try FileSystem.copyTreeHashing(object, to: temporary)
            let written = FileHasher(cache: Dictionary(uniqueKeysWithValues: copied.map { ($0.path, FileHasher.CacheEntry(fingerprint: $0.fingerprint, hash: $0.hash)) }))
            let actual = try written.hashDirectory(path: temporary).hash
            guard actual == hash, written.bytesRead == 0 else { throw EngineError.corruptObject(hash: hash.hex, actual: actual.hex) }
            try FileSystem.syncTree(temporary, readOnly: false)
        }
        try FileSystem.syncDirectory(parent)
        staged = true
        return StagedCopy(temporary: temporary, destination: destination, copied: copied)
    }

    /// The temp name `stage` uses next to `destination` (`.rlhf-tmp-<pid>-<name>`).
    static func temporaryName(for destination: String) -> String {
        temporaryPrefix + "\(getpid())-" + destination[destination.index(after: destination.lastIndex(of: "/") ?? destination.startIndex)...]
            .drop { $0 == "/" }
    }

    /// Name prefix of the temp copies `materialise` renames into place.
    public static let temporaryPrefix = ".rlhf-tmp-"
    /// Name prefix of a replaced directory output on its way out.
    public static let oldPrefix = ".rlhf-old-"

    /// Every object hash in the store.
    public func allObjects() -> [ContentHash] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(ContentHash.init(hex:)).sorted()
    }

    /// Deletes the object `hash`.
    public func remove(_ hash: ContentHash) throws {
        try FileSystem.remove(path(of: hash))
    }

    /// Bytes used by object `hash` (files summed for a directory).
    public func size(of hash: ContentHash) -> Int64 {
        FileSystem.treeSize(path(of: hash))
    }
}

/// A verified copy of a store object waiting next to its workspace path (see `ContentStore.stage`).
struct StagedCopy {
    /// The temp path holding the copy.
    let temporary: String
    /// The workspace path it replaces on `commit`.
    let destination: String
    /// The files written under `temporary`, with the hashes of exactly the bytes written.
    let copied: [CopiedFile]

    /// Renames the copy over whatever `destination` holds (a directory output through a
    /// `.rlhf-old-*` sibling) and returns the files now at `destination` with their fingerprints.
    @discardableResult
    func commit() throws -> [CopiedFile] {
        let parent = FileSystem.parent(of: destination)
        if copied.count == 1, copied[0].path == temporary {
            if case .plain(.directory) = FileHasher.linkKind(of: destination) { try FileSystem.remove(destination) }
            try FileSystem.rename(temporary, to: destination)
            try FileSystem.syncDirectory(parent)
            guard case let .plain(.file(fingerprint)) = FileHasher.linkKind(of: destination), fingerprint.inode == copied[0].fingerprint.inode,
                  fingerprint.size == copied[0].fingerprint.size else { return [] }
            return [CopiedFile(path: destination, fingerprint: fingerprint, hash: copied[0].hash)]
        }
        if case .missing = FileHasher.linkKind(of: destination) {
            try FileSystem.rename(temporary, to: destination)
        } else {
            let old = parent + "/" + ContentStore.oldPrefix + String(temporary.dropFirst(parent.count + 1 + ContentStore.temporaryPrefix.count))
            try FileSystem.remove(old)
            try FileSystem.rename(destination, to: old)
            try FileSystem.rename(temporary, to: destination)
            try FileSystem.remove(old)
        }
        try FileSystem.syncDirectory(parent)
        return copied.map { CopiedFile(path: destination + $0.path.dropFirst(temporary.count), fingerprint: $0.fingerprint, hash: $0.hash) }
    }

    /// Removes the copy (the run it belongs to was not recorded).
    func discard() {
        try? FileSystem.remove(temporary)
    }
}
