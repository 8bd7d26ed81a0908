import EngineCore
import Foundation

/// Shared plumbing of every gate kind: params, outputs, and recording the verdict.
enum GateSupport {
    /// The outputs every gate declares.
    static let outputs = ["verdict", "outcome"]

    /// Params every gate takes.
    struct Common: ParamDeclarations {
        /// Whether a fail blocks downstream.
        let severity = Param.choice("severity", default: "error", among: ["error", "warn"], "error: a fail blocks downstream; warn: it is only reported")
        /// Findings kept.
        let maxFindings = Param.integer("max_findings", default: 200, in: 0...1_000_000, "findings listed in the verdict")
    }

    /// The common declarations.
    static let common = Common()

    /// Writes `verdict` and `outcome`, records figures as metrics and the verdict in the catalog.
    static func finish(_ evaluation: GateEvaluation, gate: String, context: StageContext) throws {
        let params = Params(context)
        let severity = try params.value(common.severity)
        let report = evaluation.report(gate: gate, severity: severity, maxFindings: try params.value(common.maxFindings))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try write(encoder.encode(report), to: context.outputs["verdict"], node: context.node)
        let outcome = GateOutcome(gate: gate, status: report.status, severity: severity)
        try write(encoder.encode(outcome), to: context.outputs["outcome"], node: context.node)
        for (name, value) in report.figures.sorted(by: { $0.key < $1.key }) {
            context.metrics.record("\(gate).\(name)", step: 0, value: value)
        }
        context.record(verdict: GateVerdict(gate: gate, status: report.status, severity: severity, message: report.message))
    }

    /// Writes `data` at `url`; a missing output path is an engine contract violation reported as a param error.
    private static func write(_ data: Data, to url: URL?, node: String) throws {
        guard let url else { throw StagesError.invalidInputs(node: node, message: "the engine gave no path for a gate output") }
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (data + Data("\n".utf8)).write(to: url, options: .atomic)
        } catch {
            throw StagesError.badInput(path: url.path, message: "cannot write: \(error.localizedDescription)")
        }
    }
}
