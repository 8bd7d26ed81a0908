import Foundation
import Logging

/// Everything a stage sees while it runs one node.
public final class StageContext: @unchecked Sendable {
    /// The node being run.
    public let node: String
    /// Absolute workspace root; commands run here.
    public let workspace: URL
    /// Input role → absolute path of the materialised upstream artifact (read it, never write it).
    public let inputs: [String: URL]
    /// Output name → absolute temporary path the stage must create (file or directory).
    public let outputs: [String: URL]
    /// The node's params.
    public let params: [String: JSONValue]
    /// The pipeline seed (it enters the key only when the kind uses randomness).
    public let seed: UInt64
    /// Logger labelled with the node name.
    public let logger: Logger
    /// Where to record metrics; they reach the catalog with the run.
    public let metrics: MetricsSink
    /// Reports step progress to the terminal.
    public let progress: ProgressReporter
    /// A private scratch directory for this run, removed afterwards.
    public let scratch: URL
    /// The catalog as of this build for kinds that set `readsCatalog` (nil otherwise); its `keyFacts` are in the node key.
    public let catalog: CatalogView?
    private let lock = NSLock()
    private var cancelled = false
    private var recordedVerdicts: [GateVerdict] = []
    private var process: ProcessOutcome?
    private var cancelHandler: (@Sendable () -> Void)?

    /// Creates a context; the executor does this for every run.
    public init(node: String, workspace: URL, inputs: [String: URL], outputs: [String: URL], params: [String: JSONValue],
                seed: UInt64, logger: Logger, metrics: MetricsSink, progress: ProgressReporter, scratch: URL, catalog: CatalogView? = nil) {
        self.node = node
        self.workspace = workspace
        self.inputs = inputs
        self.outputs = outputs
        self.params = params
        self.seed = seed
        self.logger = logger
        self.metrics = metrics
        self.progress = progress
        self.scratch = scratch
        self.catalog = catalog
    }

    /// True once the build was interrupted; long stages should check it and throw.
    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// Marks the run cancelled (the executor calls this on SIGINT/SIGTERM).
    public func cancel() {
        lock.lock()
        cancelled = true
        let handler = cancelHandler
        lock.unlock()
        handler?()
    }

    /// Installs `handler` to run when the build is interrupted (e.g. to kill a child process);
    /// it runs at once if the build is already cancelled.
    public func onCancel(_ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        cancelHandler = handler
        let already = cancelled
        lock.unlock()
        if already { handler() }
    }

    /// Records a gate verdict for this run; a `fail` blocks every node below.
    public func record(verdict: GateVerdict) {
        lock.lock()
        recordedVerdicts.append(verdict)
        lock.unlock()
    }

    /// Records how an external process ended (exit status and the last output lines).
    public func record(process outcome: ProcessOutcome) {
        lock.lock()
        process = outcome
        lock.unlock()
    }

    /// Verdicts recorded so far.
    public var verdicts: [GateVerdict] {
        lock.lock()
        defer { lock.unlock() }
        return recordedVerdicts
    }

    /// The recorded process outcome, if the stage ran one.
    public var processOutcome: ProcessOutcome? {
        lock.lock()
        defer { lock.unlock() }
        return process
    }
}

/// How an external process run by a stage ended.
public struct ProcessOutcome: Sendable, Codable, Equatable {
    /// Exit status (128+signal when killed by a signal).
    public var exitCode: Int32
    /// The last non-empty line written to stdout.
    public var lastStdout: String
    /// The last non-empty line written to stderr.
    public var lastStderr: String

    /// Creates an outcome.
    public init(exitCode: Int32, lastStdout: String, lastStderr: String) {
        self.exitCode = exitCode
        self.lastStdout = lastStdout
        self.lastStderr = lastStderr
    }
}

/// The outcome of a quality gate, recorded in the catalog's gate-results table.
public struct GateVerdict: Sendable, Codable, Equatable {
    /// Pass, warn or fail.
    public enum Status: String, Sendable, Codable {
        /// The check passed.
        case pass
        /// The check found something worth a look; nothing is blocked.
        case warn
        /// The check failed; every node below is blocked unless the severity is `warn`.
        case fail
    }

    /// Gate name (e.g. `eval_leakage`).
    public var gate: String
    /// The verdict.
    public var status: Status
    /// Severity: `warn` records a failure without blocking; anything else (`error`, the default) blocks.
    public var severity: String
    /// One line explaining the verdict.
    public var message: String

    /// Creates a verdict.
    public init(gate: String, status: Status, severity: String, message: String) {
        self.gate = gate
        self.status = status
        self.severity = severity
        self.message = message
    }

    /// Whether this verdict blocks every node below its gate: a `fail` whose severity is not `warn`.
    public var blocks: Bool {
        status == .fail && severity.lowercased() != "warn"
    }
}

/// A metric point recorded by a stage.
public struct MetricPoint: Sendable, Codable, Equatable {
    /// Metric name (e.g. `loss`).
    public var name: String
    /// Training step or index.
    public var step: Int
    /// Value.
    public var value: Double

    /// Creates a point.
    public init(name: String, step: Int, value: Double) {
        self.name = name
        self.step = step
        self.value = value
    }
}

/// Collects metric points during a run; the executor writes them in the run's transaction.
public final class MetricsSink: @unchecked Sendable {
    private let lock = NSLock()
    private var points: [MetricPoint] = []

    /// Creates an empty sink.
    public init() {}

    /// Records `value` of metric `name` at `step`.
    public func record(_ name: String, step: Int, value: Double) {
        lock.lock()
        points.append(MetricPoint(name: name, step: step, value: value))
        lock.unlock()
    }

    /// Every point recorded so far.
    public var recorded: [MetricPoint] {
        lock.lock()
        defer { lock.unlock() }
        return points
    }
}
