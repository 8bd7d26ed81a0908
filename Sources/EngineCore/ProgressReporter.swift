import Foundation

/// Reports step progress of a long stage: on a terminal one updating line with step, figures and
/// ETA; otherwise plain lines at most every tenth of the way. The ETA comes from the rate measured
/// after the first update (which carries start-up cost) and appears once a few steps are timed.
public final class ProgressReporter: @unchecked Sendable {
    private let label: String
    private let stream: ConsoleStream
    private let lock = NSLock()
    private var warmUp: (step: Int, time: Date)?
    private var lastDecile = -1
    private let clock: @Sendable () -> Date

    /// Creates a reporter for `label` writing to `stream`; `clock` is injectable for tests.
    public init(label: String, stream: ConsoleStream = .standardError, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.label = label
        self.stream = stream
        self.clock = clock
    }

    /// Creates a reporter writing text to `write`, as a terminal or as a log file.
    public convenience init(label: String, isTerminal: Bool, write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.init(label: label, stream: ConsoleStream(isTerminal: isTerminal, write: write))
    }

    /// Reports that `step` of `total` is done, with an optional loss and named figures (e.g. reward, KL, β).
    public func update(step: Int, total: Int, loss: Double? = nil, figures: KeyValuePairs<String, Double> = [:]) {
        lock.lock()
        defer { lock.unlock() }
        var text = "\(label): step \(step)/\(total)"
        if let loss { text += String(format: " loss %.4f", loss) }
        for (name, value) in figures { text += " \(name) " + Self.format(value) }
        if let eta = estimate(step: step, total: total) { text += " eta " + Self.duration(eta) }
        if stream.isTerminal {
            let last = step >= total
            stream.write("\r\u{1B}[K" + text + (last ? "\n" : ""), leavesLineOpen: !last)
        } else {
            let decile = total > 0 ? Int(Double(step) / Double(total) * 10) : 0
            if decile != lastDecile || step >= total {
                lastDecile = decile
                stream.line(text)
            }
        }
    }

    /// Prints one message line.
    public func message(_ text: String) {
        stream.line("\(label): \(text)")
    }

    /// Seconds left at the rate measured since the first update; nil during the warm-up (fewer than
    /// two timed steps or under half a second timed) and at the end.
    private func estimate(step: Int, total: Int) -> Double? {
        let now = clock()
        guard let warmUp else {
            self.warmUp = (step, now)
            return nil
        }
        let steps = step - warmUp.step
        let elapsed = now.timeIntervalSince(warmUp.time)
        guard steps >= 2, elapsed >= 0.5, step < total else { return nil }
        return elapsed / Double(steps) * Double(total - step)
    }

    /// A figure with four significant digits.
    static func format(_ value: Double) -> String {
        String(format: abs(value) >= 1000 || (abs(value) < 0.001 && value != 0) ? "%.3e" : "%.4g", value)
    }

    /// `42s`, `3m05s` or `1h02m`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return String(format: "%dh%02dm", total / 3600, total % 3600 / 60)
    }
}
