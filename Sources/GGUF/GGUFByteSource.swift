import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a GGUF file's bytes come from: an open file read with `pread` on demand, or bytes in memory.
///
/// Reading a file lazily means a 100 MB model is never held in memory whole: the header is read in
/// chunks and each tensor's bytes only when it is decoded. `pread` (unlike a memory map) cannot fault
/// when another process truncates the file; a short read becomes a `truncated` error.
final class GGUFByteSource: @unchecked Sendable {
    /// The backing store.
    private enum Storage {
        case file(descriptor: Int32)
        case memory(Data)
    }

    private let storage: Storage
    /// The file path or source name used in errors.
    let source: String
    /// Total bytes available.
    let size: UInt64

    /// Opens `url` for reading.
    init(url: URL) throws {
        let path = url.path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw GGUFError.cannotRead(file: path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw GGUFError.cannotRead(file: path, reason: reason)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw GGUFError.cannotRead(file: path, reason: "not a regular file")
        }
        storage = .file(descriptor: descriptor)
        source = path
        size = UInt64(max(0, status.st_size))
    }

    /// Wraps bytes already in memory; `source` names them in errors.
    init(data: Data, source: String) {
        storage = .memory(data)
        self.source = source
        size = UInt64(data.count)
    }

    deinit {
        if case let .file(descriptor) = storage { close(descriptor) }
    }

    /// Exactly the bytes `range`, which the caller has checked lies within `size`.
    ///
    /// Throws `truncated` when the file got shorter since it was opened, `cannotRead` on an I/O error.
    func read(_ range: Range<UInt64>, what: String) throws -> [UInt8] {
        let count = Int(range.count)
        switch storage {
        case let .memory(data):
            let start = data.startIndex + Int(range.lowerBound)
            return [UInt8](data[start..<start + count])
        case let .file(descriptor):
            var bytes = [UInt8](repeating: 0, count: count)
            var done = 0
            try bytes.withUnsafeMutableBytes { buffer in
                while done < count {
                    let got = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(range.lowerBound) + off_t(done))
                    if got < 0 {
                        if errno == EINTR { continue }
                        throw GGUFError.cannotRead(file: source, reason: String(cString: strerror(errno)))
                    }
                    if got == 0 {
                        throw GGUFError.truncated(file: source, what: what, offset: range.lowerBound,
                                                  needed: UInt64(count), available: UInt64(done))
                    }
                    done += got
                }
            }
            return bytes
        }
    }
}
