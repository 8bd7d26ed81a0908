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
    /// the caller has confined to the workspace): copy (or reflink) into a sibling temp path while
    /// hashing, check the bytes against the name, then rename over whatever was there. A workspace
    /// edit can never reach the store, and a corrupt object is never copied out. Returns the files
    /// written with the fingerprints and hashes of exactly the bytes written. No temp path survives
    /// an error.
    @discardableResult
    func materialise(_ hash: ContentHash, at destination: String) throws -> [CopiedFile] {
        let object = path(of: hash)
        let parent = FileSystem.parent(of: destination)
        let name = (destination as NSString).lastPathComponent
        let temporary = parent + "/" + Self.temporaryPrefix + "\(getpid())-" + name
        try FileSystem.createDirectory(parent)
        try FileSystem.remove(temporary)
        defer { try? FileSystem.remove(temporary) }
        switch FileHasher.linkKind(of: object) {
        case .missing, .plain(.missing):
            throw EngineError.notFound(what: "object \(hash.hex) in the store", hint: "run `rlhf build` to rebuild it")
        case .symlink, .special:
            throw EngineError.corruptObject(hash: hash.hex, actual: "a symlink or special file")
        case .plain(.file):
            let copied = try FileSystem.copyHashing(object, to: temporary)
            guard copied.hash == hash else { throw EngineError.corruptObject(hash: hash.hex, actual: copied.hash.hex) }
            if case .plain(.directory) = FileHasher.linkKind(of: destination) { try FileSystem.remove(destination) }
            try FileSystem.rename(temporary, to: destination)
            try FileSystem.syncDirectory(parent)
            guard case let .plain(.file(fingerprint)) = FileHasher.linkKind(of: destination), fingerprint.inode == copied.fingerprint.inode,
                  fingerprint.size == copied.fingerprint.size else { return [] }
            return [CopiedFile(path: destination, fingerprint: fingerprint, hash: copied.hash)]
        case .plain(.directory):
            let copied = try FileSystem.copyTreeHashing(object, to: temporary)
            let written = FileHasher(cache: Dictionary(uniqueKeysWithValues: copied.map { ($0.path, FileHasher.CacheEntry(fingerprint: $0.fingerprint, hash: $0.hash)) }))
            let actual = try written.hashDirectory(path: temporary).hash
            guard actual == hash, written.bytesRead == 0 else { throw EngineError.corruptObject(hash: hash.hex, actual: actual.hex) }
            try FileSystem.syncTree(temporary, readOnly: false)
            if case .missing = FileHasher.linkKind(of: destination) {
                try FileSystem.rename(temporary, to: destination)
            } else {
                let old = parent + "/" + Self.oldPrefix + "\(getpid())-" + name
                try FileSystem.remove(old)
                try FileSystem.rename(destination, to: old)
                try FileSystem.rename(temporary, to: destination)
                try FileSystem.remove(old)
            }
            try FileSystem.syncDirectory(parent)
            return copied.map { CopiedFile(path: destination + $0.path.dropFirst(temporary.count), fingerprint: $0.fingerprint, hash: $0.hash) }
        }
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
