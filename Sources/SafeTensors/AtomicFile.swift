import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file replacement: write a temporary sibling, fsync it, rename it into place,
/// then fsync the directory, so readers see either the old file or the complete new one.
enum AtomicFile {
    /// Streams chunks from `produce` into `url` atomically; errors are `SafeTensorsError.cannotWrite`.
    static func replace(_ url: URL,
                        with produce: (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ what: String) -> SafeTensorsError {
            .cannotWrite(file: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create \(temporary)") }
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            try produce { chunk in
                var remaining = chunk
                while !remaining.isEmpty {
                    let written = write(descriptor, remaining.baseAddress, remaining.count)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw failure("write failed")
                    }
                    remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
                }
            }
            guard fsync(descriptor) == 0 else { throw failure("fsync failed") }
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw failure("close failed") }
        guard rename(temporary, path) == 0 else { throw failure("rename into place failed") }
        renamed = true
        let directoryDescriptor = open(directory, O_RDONLY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}
