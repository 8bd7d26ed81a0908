import EngineCore
import Foundation
import S3

extension RemoteCache {
    /// What a lookup found.
    enum Lookup {
        /// Every output object is in the local store, verified.
        case hit(RemoteCacheEntry, bytes: Int64)
        /// Not served; `reason` says why (absent, a corrupt or missing object, a malformed entry, a store error).
        case miss(reason: String)
    }

    /// Why an object could not be brought in, and which `cas/` objects (SHA-256) proved bad.
    struct ObjectProblem {
        /// What is wrong, for the miss line.
        var reason: String
        /// SHA-256 names of objects whose bytes do not match (deleted in readwrite mode).
        var badObjects: [String]
    }

    /// Looks up node key `key` and brings every output object of its entry into `store`, verified by SHA-256 and by
    /// XXH3; `scratch` (on the store's file system) holds downloads until they are verified. In readwrite mode a bad
    /// object and the entry naming it are deleted, so the rebuild's push repairs the cache.
    func fetch(key: String, node: Node, store: ContentStore, scratch: String) -> Lookup {
        do {
            let (found, malformed) = try self.entry(key: key)
            if let malformed {
                repair(key: key, badObjects: [])
                return .miss(reason: malformed)
            }
            guard let cached = found else { return .miss(reason: "not in the cache") }
            if let problem = cached.problem(key: key, node: node) {
                repair(key: key, badObjects: [])
                return .miss(reason: "ac/\(key): \(problem)")
            }
            try FileSystem.createDirectory(scratch)
            defer { try? FileSystem.remove(scratch) }
            var bytes: Int64 = 0
            for output in cached.outputs {
                if let problem = try bring(output, into: store, scratch: scratch, bytes: &bytes) {
                    repair(key: key, badObjects: problem.badObjects)
                    return .miss(reason: "output '\(output.name)': \(problem.reason)")
                }
            }
            return .hit(cached, bytes: bytes)
        } catch {
            return .miss(reason: "\(error)")
        }
    }

    /// Brings the object of `output` into `store` unless it is there already, verified; nil on success, else why not.
    /// `scratch` is an existing directory on the store's file system.
    func bring(_ output: RemoteCacheEntry.Output, into store: ContentStore, scratch: String, bytes: inout Int64) throws -> ObjectProblem? {
        let hash = ContentHash(hex: output.hash)!
        if store.contains(hash) { return nil }
        if output.isDirectory { return try bringDirectory(output, hash: hash, store: store, scratch: scratch, bytes: &bytes) }
        let path = scratch + "/" + output.sha256
        if let problem = try bringFile(sha256: output.sha256, hash: hash, at: path, bytes: &bytes) { return problem }
        try store.ingest(path, as: hash)
        return nil
    }

    /// Downloads `cas/<sha256>` to `path` and checks it: SHA-256 equal to its name, XXH3 equal to `hash` (nil: not checked).
    private func bringFile(sha256: String, hash: ContentHash?, at path: String, bytes: inout Int64) throws -> ObjectProblem? {
        guard try client.download(objectKey(sha256), to: path) else {
            return ObjectProblem(reason: "cas/\(sha256) is missing", badObjects: [])
        }
        let actual = try S3Checksum.sha256(path: path)
        guard actual == sha256 else {
            try? FileSystem.remove(path)
            return ObjectProblem(reason: "cas/\(sha256) is corrupt (its bytes hash to SHA-256 \(actual))", badObjects: [sha256])
        }
        bytes += FileSystem.treeSize(path)
        if let hash {
            let local = try FileHasher.streamHash(path: path)
            guard local == hash else {
                try? FileSystem.remove(path)
                return ObjectProblem(reason: "cas/\(sha256) hashes to XXH3 \(local.hex), not the entry's \(hash.hex)", badObjects: [])
            }
        }
        return nil
    }

    /// Downloads a directory output: its manifest, then every file, into a tree that must hash to `hash`; moves it into the store.
    private func bringDirectory(_ output: RemoteCacheEntry.Output, hash: ContentHash, store: ContentStore, scratch: String,
                                bytes: inout Int64) throws -> ObjectProblem? {
        let manifestPath = scratch + "/" + output.sha256 + ".manifest"
        if let problem = try bringFile(sha256: output.sha256, hash: nil, at: manifestPath, bytes: &bytes) { return problem }
        guard let data = FileManager.default.contents(atPath: manifestPath),
              let manifest = try? JSONDecoder().decode(RemoteDirectoryManifest.self, from: data) else {
            return ObjectProblem(reason: "cas/\(output.sha256) is not a directory manifest", badObjects: [])
        }
        if let problem = manifest.problem { return ObjectProblem(reason: "cas/\(output.sha256): \(problem)", badObjects: []) }
        let root = scratch + "/" + output.sha256 + ".d"
        try FileSystem.remove(root)
        try FileSystem.createDirectory(root)
        for directory in manifest.directories { try FileSystem.createDirectory(root + "/" + directory) }
        for file in manifest.files {
            let path = root + "/" + file.path
            try FileSystem.createDirectory(FileSystem.parent(of: path))
            if let problem = try bringFile(sha256: file.sha256, hash: ContentHash(hex: file.hash)!, at: path, bytes: &bytes) {
                return ObjectProblem(reason: "\(file.path): \(problem.reason)", badObjects: problem.badObjects)
            }
        }
        let actual = try FileHasher().hashDirectory(path: root).hash
        guard actual == hash else {
            return ObjectProblem(reason: "the tree of manifest cas/\(output.sha256) hashes to \(actual.hex), not the entry's \(hash.hex)", badObjects: [])
        }
        try store.ingest(root, as: hash)
        return nil
    }

    /// In readwrite mode: deletes the corrupt objects and the entry of `key`, so the rebuild's push writes both again.
    private func repair(key: String, badObjects: [String]) {
        guard settings.mode.writes else { return }
        for sha256 in badObjects { try? client.delete(objectKey(sha256)) }
        try? client.delete(entryKey(key))
    }
}
