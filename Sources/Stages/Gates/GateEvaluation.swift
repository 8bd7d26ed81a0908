import EngineCore
import Foundation

/// What a gate measured, accumulated while it runs, then turned into a `GateReport`.
struct GateEvaluation {
    /// Measured figures.
    var figures: [String: Double] = [:]
    /// Thresholds used.
    var thresholds: [String: Double] = [:]
    /// Every finding, in discovery order.
    var findings: [GateFinding] = []
    /// Thresholds that were exceeded, each as one sentence.
    var failures: [String] = []
    /// Problems worth a look that exceed no threshold.
    var warnings: [String] = []

    /// Records threshold `name` = `limit` and fails with `message` when `violated`.
    mutating func check(_ name: String, limit: Double, violated: Bool, _ message: @autoclosure () -> String) {
        thresholds[name] = limit
        if violated { failures.append(message()) }
    }

    /// The report for gate `gate` with `severity`, keeping at most `maxFindings` findings.
    func report(gate: String, severity: String, maxFindings: Int) -> GateReport {
        let status: GateVerdict.Status = !failures.isEmpty ? .fail : (!warnings.isEmpty || !findings.isEmpty ? .warn : .pass)
        let message: String
        switch status {
        case .fail: message = failures.joined(separator: "; ")
        case .warn: message = warnings.isEmpty ? "\(findings.count) finding(s) within thresholds" : warnings.joined(separator: "; ")
        case .pass: message = "all checks passed"
        }
        return GateReport(gate: gate, status: status, severity: severity, message: message,
                          figures: figures.filter { $0.value.isFinite }, thresholds: thresholds,
                          findingCount: findings.count, findings: Array(findings.prefix(maxFindings)))
    }
}
