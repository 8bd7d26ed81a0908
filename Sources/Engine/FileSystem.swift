import EngineCore
import Foundation

/// Small POSIX helpers that throw `EngineError.io` with the path and errno.
enum FileSystem {
    /// The path without its last component (`""` for a single component, `/` for a top-level
    /// absolute path); never traps, whatever the text.
    static func parent(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `mkdir -p`.
    static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw EngineError.io(path: path, operation: "create directory", errno: EACCES)
        }
    }

    /// `rm -rf`; a missing path is fine.
    static func remove(_ path: String) throws {
        if unlink(path) == 0 || errno == ENOENT { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            if access(path, F_OK) == 0 { throw EngineError.io(path: path, operation: "remove", errno: EACCES) }
        }
    }

    /// Atomic `rename(2)`.
    static func rename(_ source: String, to destination: String) throws {
        guard Foundation.rename(source, destination) == 0 else { throw EngineError.io(path: destination, operation: "rename \(source) to", errno: errno) }
    }

    /// fsyncs every file under `path` (and the directories), optionally making files read-only.
    /// Never follows a symlink: one found anywhere is refused, so no outside file is touched.
    static func syncTree(_ path: String, readOnly: Bool) throws {
        switch FileHasher.linkKind(of: path) {
        case .missing, .plain(.missing):
            throw EngineError.io(path: path, operation: "sync", errno: ENOENT)
        case .symlink, .special:
            throw EngineError.unsafePath(path: path, problem: "is a symlink or special file; outputs must be regular files and directories")
        case .plain(.file):
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else { throw EngineError.io(path: path, operation: "open", errno: errno) }
            defer { close(descriptor) }
            if readOnly { fchmod(descriptor, 0o444) }
            guard fsync(descriptor) == 0 else { throw EngineError.io(path: path, operation: "fsync", errno: errno) }
        case .plain(.directory):
            for name in try listDirectory(path) {
                try syncTree(path + "/" + name, readOnly: readOnly)
            }
            try syncDirectory(path)
        }
    }

    /// fsyncs a directory so renames inside it are durable.
    static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw EngineError.io(path: path, operation: "open directory", errno: errno) }
        defer { close(descriptor) }
        fsync(descriptor)
    }

    /// Total bytes of the files under `path`.
    static func treeSize(_ path: String) -> Int64 {
        switch FileHasher.kind(of: path) {
        case .missing: return 0
        case let .file(fingerprint): return fingerprint.size
        case .directory:
            return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).reduce(0) { $0 + treeSize(path + "/" + $1) }
        }
    }
}
