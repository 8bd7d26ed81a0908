import Foundation

/// A child process in its own process group, so an interrupt can stop it and everything it started.
public final class ChildProcess: @unchecked Sendable {
    /// The child's pid (also its process group id).
    let pid: pid_t

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `arguments` in `directory` (through `env -C`) with stdout and stderr appended to the given files.
    public static func spawn(arguments: [String], environment: [String: String], directory: String, stdout: String, stderr: String) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGINT)
        sigaddset(&defaultSignals, SIGTERM)
        sigaddset(&defaultSignals, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let command = ["/usr/bin/env", "-C", directory] + arguments
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
        guard result == 0 else { throw EngineError.io(path: arguments[0], operation: "spawn", errno: result) }
        return ChildProcess(pid: pid)
    }

    /// Waits for the child; returns its exit status, or 128+signal when a signal ended it.
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 127 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Sends SIGTERM to the child's whole process group.
    public func terminate() {
        kill(-pid, SIGTERM)
    }

    /// Sends SIGKILL to whatever is left of the child's process group (after it exited: its background jobs).
    func killGroup() {
        kill(-pid, SIGKILL)
    }

    /// Name of the file in a run directory that records the child's process group, so that a build
    /// killed with SIGKILL (which cannot stop its children) has them killed by the next build.
    public static let recordName = "child.pgid"

    /// Writes `<pgid> <start time>` to `path` (best effort).
    func record(at path: String) {
        let text = "\(pid) \(Self.startTime(of: pid) ?? 0)\n"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    /// The start time of `pid` in clock ticks since boot (`/proc/<pid>/stat` field 22), nil when it is gone.
    static func startTime(of pid: pid_t) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    /// Kills (SIGKILL) the process group recorded at `path` when it still runs; the group id is
    /// trusted only while its leader has the recorded start time, or the leader is gone and the
    /// group lives on (Linux never reuses a pid that is still a group id). Returns the group killed.
    @discardableResult
    public static func killRecorded(at path: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let pgid = pid_t(fields[0]), pgid > 1, let started = UInt64(fields[1]) else { return nil }
        guard kill(-pgid, 0) == 0 else { return nil }
        if let leader = startTime(of: pgid), leader != started { return nil }
        kill(-pgid, SIGKILL)
        return pgid
    }
}
