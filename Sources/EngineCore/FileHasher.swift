import Foundation

/// What `stat` says about a file; equal fingerprints mean the bytes were not rewritten.
public struct FileFingerprint: Hashable, Codable, Sendable {
    /// Size in bytes.
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var mtimeNs: Int64
    /// Inode number.
    public var inode: Int64
    /// Status-change time in nanoseconds; nobody can set it back, so an edit that restores the
    /// size and mtime still changes the fingerprint (0 in entries from before it was recorded).
    public var ctimeNs: Int64

    /// Creates a fingerprint.
    public init(size: Int64, mtimeNs: Int64, inode: Int64, ctimeNs: Int64 = 0) {
        self.size = size
        self.mtimeNs = mtimeNs
        self.inode = inode
        self.ctimeNs = ctimeNs
    }
}

/// What a workspace path currently holds.
public enum PathKind: Sendable {
    /// Nothing (or something that is neither a file nor a directory).
    case missing
    /// A regular file.
    case file(FileFingerprint)
    /// A directory.
    case directory
}

/// What a path itself is when symlinks are not followed.
public enum LinkKind: Sendable {
    /// Nothing there.
    case missing
    /// A symbolic link (to anything, or dangling).
    case symlink
    /// A device, socket or FIFO.
    case special
    /// A regular file or a directory.
    case plain(PathKind)
}

/// Hashes files (streamed XXH3-128) and directories (sorted Merkle tree), consulting a stat cache
/// so that an unchanged file is never read twice. Thread-safe.
public final class FileHasher: @unchecked Sendable {
    /// A cached hash for a path, valid while the fingerprint matches.
    public struct CacheEntry: Hashable, Sendable {
        /// The fingerprint when hashed.
        public var fingerprint: FileFingerprint
        /// The content hash.
        public var hash: ContentHash

        /// Creates an entry.
        public init(fingerprint: FileFingerprint, hash: ContentHash) {
            self.fingerprint = fingerprint
            self.hash = hash
        }
    }

    private var cache: [String: CacheEntry]
    private var dirty: [String: CacheEntry] = [:]
    private let lock = NSLock()
    /// Bytes actually read from disk (not served by the cache), for benchmarks.
    public private(set) var bytesRead: Int64 = 0

    /// Creates a hasher over a preloaded stat cache (absolute path → entry).
    public init(cache: [String: CacheEntry] = [:]) {
        self.cache = cache
    }

    /// Cache entries added or changed since the last call; the catalog persists them.
    public func takeDirtyEntries() -> [String: CacheEntry] {
        lock.lock()
        defer { lock.unlock() }
        let entries = dirty
        dirty = [:]
        return entries
    }

    /// What is at `path`, following symlinks (a path holding NUL is missing).
    public static func kind(of path: String) -> PathKind {
        var info = stat()
        guard !path.utf8.contains(0), stat(path, &info) == 0 else { return .missing }
        return kind(info)
    }

    /// What is at `path` itself, without following a final symlink (`.symlink` for one).
    public static func linkKind(of path: String) -> LinkKind {
        var info = stat()
        guard !path.utf8.contains(0), lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFLNK: return .symlink
        case S_IFREG, S_IFDIR: return .plain(kind(info))
        default: return .special
        }
    }

    private static func kind(_ info: stat) -> PathKind {
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            let ctime = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
            return .file(FileFingerprint(size: Int64(info.st_size), mtimeNs: mtime, inode: Int64(info.st_ino), ctimeNs: ctime))
        case S_IFDIR:
            return .directory
        default:
            return .missing
        }
    }

    /// The hash of the file or directory at `path`, or nil when nothing is there.
    public func hash(path: String) throws -> ContentHash? {
        guard !path.utf8.contains(0) else { throw EngineError.io(path: path.replacingOccurrences(of: "\0", with: "\\0"), operation: "hash (a path may not hold NUL)", errno: EINVAL) }
        switch Self.kind(of: path) {
        case .missing: return nil
        case let .file(fingerprint): return try hashFile(path: path, fingerprint: fingerprint)
        case .directory: return try hashDirectory(path: path).hash
        }
    }

    /// Records that `path`, whose bytes were hashed to `hash` while they were written, has `hash`
    /// under `fingerprint` (taken right after writing, before anyone else could change the file).
    public func remember(path: String, fingerprint: FileFingerprint, hash: ContentHash) {
        let entry = CacheEntry(fingerprint: fingerprint, hash: hash)
        lock.lock()
        cache[path] = entry
        dirty[path] = entry
        lock.unlock()
    }

    /// The hash of a regular file, from the cache when its fingerprint is unchanged.
    func hashFile(path: String, fingerprint: FileFingerprint) throws -> ContentHash {
        lock.lock()
        let cached = cache[path]
        lock.unlock()
        if let cached, cached.fingerprint == fingerprint { return cached.hash }
        let hash = try Self.streamHash(path: path)
        let entry = CacheEntry(fingerprint: fingerprint, hash: hash)
        lock.lock()
        cache[path] = entry
        dirty[path] = entry
        bytesRead += fingerprint.size
        lock.unlock()
        return hash
    }

    /// Hashes a directory as a sorted Merkle tree; also returns every file's relative path and hash.
    public func hashDirectory(path: String) throws -> (hash: ContentHash, files: [(String, ContentHash)]) {
        var files: [(String, ContentHash)] = []
        let hash = try merkle(path: path, relative: "", files: &files)
        return (hash, files)
    }

    private func merkle(path: String, relative: String, files: inout [(String, ContentHash)]) throws -> ContentHash {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw EngineError.io(path: path, operation: "list directory", errno: EACCES)
        }
        let tree = StreamingHasher()
        tree.update("rlhf-dir-v1\n")
        for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let child = path + "/" + name
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            switch Self.kind(of: child) {
            case .missing:
                continue
            case let .file(fingerprint):
                let hash = try hashFile(path: child, fingerprint: fingerprint)
                files.append((childRelative, hash))
                tree.update("f \(name)\0\(hash.hex)\n")
            case .directory:
                let hash = try merkle(path: child, relative: childRelative, files: &files)
                tree.update("d \(name)\0\(hash.hex)\n")
            }
        }
        return tree.digest()
    }

    /// Streams a file through XXH3-128 in 1 MiB reads.
    public static func streamHash(path: String) throws -> ContentHash {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw EngineError.io(path: path, operation: "open", errno: errno) }
        defer { close(descriptor) }
        posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
        let hasher = StreamingHasher()
        let bufferSize = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer, bufferSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw EngineError.io(path: path, operation: "read", errno: errno)
            }
            if count == 0 { break }
            hasher.update(buffer, count: count)
        }
        return hasher.digest()
    }
}
