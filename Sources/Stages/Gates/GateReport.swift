import EngineCore
import Foundation

/// One offending example found by a gate, located by file and line.
public struct GateFinding: Codable, Equatable, Sendable {
    /// What kind of problem (e.g. `invalid_utf8`, `exact_duplicate`, `embedded`).
    public var kind: String
    /// Workspace-relative file holding the example.
    public var file: String
    /// 1-based line in `file`, when the example is one line.
    public var line: Int?
    /// JSON field of the line (e.g. `prompt`, `messages[1].content`), when one field is at fault.
    public var field: String?
    /// What is wrong, in words.
    public var message: String
    /// The other side of a pair finding (the first copy of a duplicate, the eval prompt a training line leaks).
    public var related: GateLocation?
    /// The similarity or measured value behind the finding, when there is one.
    public var score: Double?

    /// Creates a finding.
    public init(kind: String, file: String, line: Int? = nil, field: String? = nil, message: String,
                related: GateLocation? = nil, score: Double? = nil) {
        self.kind = kind
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        self.related = related
        self.score = score
    }
}

/// A file, line and field: where the other half of a pair finding lives.
public struct GateLocation: Codable, Equatable, Sendable {
    /// Workspace-relative file.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// JSON field, if one.
    public var field: String?

    /// Creates a location.
    public init(file: String, line: Int, field: String? = nil) {
        self.file = file
        self.line = line
        self.field = field
    }
}

/// The full verdict artifact a gate writes (output `verdict`): status, severity, figures, thresholds, findings.
public struct GateReport: Codable, Equatable, Sendable {
    /// Gate kind name (e.g. `gate.eval_leak`).
    public var gate: String
    /// Pass (nothing found), warn (found, within thresholds) or fail (a threshold is exceeded).
    public var status: GateVerdict.Status
    /// `error` (a fail blocks everything below) or `warn` (a fail is recorded, nothing is blocked).
    public var severity: String
    /// One line explaining the status.
    public var message: String
    /// Measured figures by name.
    public var figures: [String: Double]
    /// Thresholds used, by param name.
    public var thresholds: [String: Double]
    /// How many findings there were in all (the list below may be capped by `max_findings`).
    public var findingCount: Int
    /// The offending examples, at most `max_findings`.
    public var findings: [GateFinding]

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case gate, status, severity, message, figures, thresholds, findings
        case findingCount = "finding_count"
    }
}

/// The small, threshold-free outcome a gate writes (output `outcome`): what guarded nodes take as input,
/// so a threshold edit that keeps the verdict leaves them up to date.
public struct GateOutcome: Codable, Equatable, Sendable {
    /// Gate kind name.
    public var gate: String
    /// The verdict status.
    public var status: GateVerdict.Status
    /// The severity.
    public var severity: String
}
