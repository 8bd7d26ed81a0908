import Foundation

/// The one stream a build writes to: node lines and stage progress go through it in the order they
/// happen, each write flushed at once (no stdio buffering), so a log file reads like the live terminal.
public final class ConsoleStream: @unchecked Sendable {
    /// Whether the stream is a terminal (live progress line) or a file or pipe (plain lines).
    public let isTerminal: Bool
    private let sink: @Sendable (String) -> Void
    private let lock = NSLock()
    private var lineOpen = false

    /// A stream on file descriptor `descriptor` (1 for stdout, 2 for stderr).
    public convenience init(descriptor: Int32) {
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        self.init(isTerminal: isatty(descriptor) == 1, write: { handle.write(Data($0.utf8)) })
    }

    /// A stream handing its text to `write` (tests capture lines this way).
    public init(isTerminal: Bool, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        sink = write
    }

    /// Standard error.
    public static let standardError = ConsoleStream(descriptor: STDERR_FILENO)

    /// Writes one complete line; on a terminal it first clears a live progress line.
    public func line(_ text: String) {
        write((isTerminal && lineOpen ? "\r\u{1B}[K" : "") + text + "\n", leavesLineOpen: false)
    }

    /// Writes raw text; `leavesLineOpen` says the text ends in a live line that the next write replaces.
    public func write(_ text: String, leavesLineOpen: Bool) {
        lock.lock()
        defer { lock.unlock() }
        sink(text)
        lineOpen = leavesLineOpen
    }
}
