import EngineCore
import Foundation

/// A file written by a verified copy: where it is, what `stat` said right after, and the hash of
/// the bytes that were written (the only bytes the stat cache may vouch for).
struct CopiedFile {
    /// Absolute path of the copy.
    var path: String
    /// Its fingerprint right after the copy.
    var fingerprint: FileFingerprint
    /// The hash of the bytes written.
    var hash: ContentHash
}

extension FileSystem {
    /// `FICLONE` (`_IOW(0x94, 9, int)`): share the source's extents where the file system can.
    private static let ficlone: UInt = 0x4004_9409

    /// Copies regular file `source` to the new file `destination` (mode 0644) by reflink where the
    /// file system has it, else by reading and writing, hashing the bytes as they are written. Never
    /// follows a symlink at either end. The copy is fsynced.
    static func copyHashing(_ source: String, to destination: String) throws -> CopiedFile {
        let input = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard input >= 0 else { throw EngineError.io(path: source, operation: "open", errno: errno) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard output >= 0 else { throw EngineError.io(path: destination, operation: "create", errno: errno) }
        var closed = false
        defer { if !closed { close(output) } }
        let hash: ContentHash
        if ioctl(output, ficlone, input) == 0 {
            hash = try FileHasher.streamHash(path: destination)
        } else {
            hash = try copyBytes(from: input, to: output, destination: destination)
        }
        guard fsync(output) == 0 else { throw EngineError.io(path: destination, operation: "fsync", errno: errno) }
        var info = stat()
        guard fstat(output, &info) == 0 else { throw EngineError.io(path: destination, operation: "stat", errno: errno) }
        closed = true
        close(output)
        guard case let .plain(.file(fingerprint)) = FileHasher.linkKind(of: destination) else {
            throw EngineError.io(path: destination, operation: "stat copy", errno: ENOENT)
        }
        return CopiedFile(path: destination, fingerprint: fingerprint, hash: hash)
    }

    private static func copyBytes(from input: Int32, to output: Int32, destination: String) throws -> ContentHash {
        posix_fadvise(input, 0, 0, POSIX_FADV_SEQUENTIAL)
        let hasher = StreamingHasher()
        let bufferSize = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(input, buffer, bufferSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw EngineError.io(path: destination, operation: "read source for", errno: errno)
            }
            if count == 0 { break }
            hasher.update(buffer, count: count)
            var written = 0
            while written < count {
                let result = write(output, buffer + written, count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw EngineError.io(path: destination, operation: "write", errno: errno)
                }
                written += result
            }
        }
        return hasher.digest()
    }

    /// Recreates directory `source` at the new directory `destination` with every file copied by
    /// `copyHashing`; returns the copied files. A symlink or special file in `source` is refused.
    static func copyTreeHashing(_ source: String, to destination: String) throws -> [CopiedFile] {
        guard mkdir(destination, 0o755) == 0 else { throw EngineError.io(path: destination, operation: "create directory", errno: errno) }
        var copied: [CopiedFile] = []
        for name in try listDirectory(source) {
            let from = source + "/" + name
            let to = destination + "/" + name
            switch FileHasher.linkKind(of: from) {
            case .plain(.file): copied.append(try copyHashing(from, to: to))
            case .plain(.directory): copied += try copyTreeHashing(from, to: to)
            case .missing, .plain(.missing): continue
            case .symlink, .special: throw EngineError.unsafePath(path: from, problem: "is a symlink or special file inside a stored directory")
            }
        }
        return copied
    }

    /// The names in directory `path` (sorted, without `.` and `..`), read with `readdir`.
    static func listDirectory(_ path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw EngineError.io(path: path, operation: "list directory", errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { buffer in
                String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The names in directory `path` that start with one of `prefixes` (a name is only turned into
    /// a `String` when it matches, so scanning a large output directory stays cheap).
    static func names(in path: String, startingWith prefixes: [String]) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        let wanted = prefixes.map { Array($0.utf8) }
        var names: [String] = []
        while let entry = readdir(directory) {
            withUnsafeBytes(of: entry.pointee.d_name) { buffer in
                guard buffer.first == UInt8(ascii: "."), wanted.contains(where: { buffer.starts(with: $0) }) else { return }
                names.append(String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self))
            }
        }
        return names
    }

    /// The first symlink, device, socket or FIFO at or under `path` (workspace-relative to `path`), if any.
    static func firstNonRegular(under path: String, relative: String = "") -> String? {
        switch FileHasher.linkKind(of: path) {
        case .symlink, .special: return relative.isEmpty ? "." : relative
        case .plain(.directory):
            for name in (try? listDirectory(path)) ?? [] {
                if let found = firstNonRegular(under: path + "/" + name, relative: relative.isEmpty ? name : relative + "/" + name) { return found }
            }
            return nil
        default: return nil
        }
    }
}
