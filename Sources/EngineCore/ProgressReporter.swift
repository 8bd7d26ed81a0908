import Foundation

/// Reports step progress of a long stage: on a terminal one updating line with step, loss and ETA;
/// otherwise plain lines at most every tenth of the way.
public final class ProgressReporter: @unchecked Sendable {
    private let label: String
    private let isTerminal: Bool
    private let write: @Sendable (String) -> Void
    private let lock = NSLock()
    private var started: Date?
    private var lastDecile = -1

    /// Creates a reporter for `label`; `isTerminal` picks the updating-line style; `write` receives text.
    public init(label: String, isTerminal: Bool = isatty(STDERR_FILENO) == 1,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Reports that `step` of `total` is done, with an optional loss.
    public func update(step: Int, total: Int, loss: Double? = nil) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        if started == nil { started = now }
        let elapsed = now.timeIntervalSince(started!)
        let fraction = total > 0 ? Double(step) / Double(total) : 0
        let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
        var text = "\(label): step \(step)/\(total)"
        if let loss { text += String(format: " loss %.4f", loss) }
        text += String(format: " eta %.0fs", eta)
        if isTerminal {
            write("\r\u{1B}[K" + text + (step >= total ? "\n" : ""))
        } else {
            let decile = Int(fraction * 10)
            if decile != lastDecile || step >= total {
                lastDecile = decile
                write(text + "\n")
            }
        }
    }

    /// Prints one message line.
    public func message(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        write((isTerminal ? "\r\u{1B}[K" : "") + "\(label): \(text)\n")
    }
}
