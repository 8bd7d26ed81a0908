import EngineCore
import Foundation

/// The content store `.rlhf/objects/<hash>`: immutable files and directory trees, written by
/// temp + fsync + rename and materialised at workspace paths by hard link (copy as fallback).
public struct ContentStore: Sendable {
    /// The objects directory.
    public let root: String

    /// A store rooted at `root` (created if missing).
    public init(root: String) throws {
        self.root = root
        try FileSystem.createDirectory(root)
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

    /// Places the object `hash` at the absolute path `destination` atomically (link or copy into a
    /// sibling temp path, then rename over whatever was there).
    public func materialise(_ hash: ContentHash, at destination: String) throws {
        let object = path(of: hash)
        let parent = (destination as NSString).deletingLastPathComponent
        try FileSystem.createDirectory(parent)
        let temporary = parent + "/.rlhf-tmp-\(getpid())-" + (destination as NSString).lastPathComponent
        try? FileSystem.remove(temporary)
        switch FileHasher.kind(of: object) {
        case .missing:
            throw EngineError.notFound(what: "object \(hash.hex) in the store", hint: "run `rlhf build` to rebuild it")
        case .file:
            try FileSystem.linkOrCopy(object, to: temporary)
            if case .directory = FileHasher.kind(of: destination) { try FileSystem.remove(destination) }
            try FileSystem.rename(temporary, to: destination)
        case .directory:
            try FileSystem.linkTree(object, to: temporary)
            if case .missing = FileHasher.kind(of: destination) {
                try FileSystem.rename(temporary, to: destination)
            } else {
                let old = parent + "/.rlhf-old-\(getpid())-" + (destination as NSString).lastPathComponent
                try FileSystem.rename(destination, to: old)
                try FileSystem.rename(temporary, to: destination)
                try FileSystem.remove(old)
            }
        }
    }

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
