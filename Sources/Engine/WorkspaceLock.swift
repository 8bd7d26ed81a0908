import EngineCore
import Foundation

/// One build at a time per workspace: an exclusive `flock` on `.rlhf/lock`, which also records the
/// holder's pid. The kernel drops the lock when its holder dies, so a stale lock file is taken over.
public final class WorkspaceLock {
    /// The lock file path.
    public let path: String
    /// The pid recorded by a previous holder that is no longer running, if any.
    public let takenOverFrom: Int32?
    private var descriptor: Int32

    /// Acquires the lock or throws `EngineError.locked` naming the holder's pid.
    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw EngineError.io(path: path, operation: "open lock", errno: errno) }
        let previous = Self.recordedPid(descriptor)
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.recordedPid(descriptor) ?? previous ?? 0
            close(descriptor)
            throw EngineError.locked(pid: holder, lockPath: path)
        }
        takenOverFrom = previous.flatMap { $0 != getpid() && kill($0, 0) != 0 ? $0 : nil }
        let text = "\(getpid())\n"
        ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// Releases the lock (also done on deinit).
    public func release() {
        guard descriptor >= 0 else { return }
        ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit {
        release()
    }

    private static func recordedPid(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, 31, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
