import Charts
import Stages

extension ReportDocument {
    /// Whether the build went past gate `name`'s failed, blocking verdict. Inside the stage this is
    /// certain (the report node is below its gate inputs); with the catalog it is what the catalog says.
    func isOverridden(_ name: String, _ report: GateReport) -> Bool {
        guard report.status == .fail, report.severity == "error" else { return false }
        return catalog.map { $0.overriddenGates.contains(name) } ?? true
    }

    /// Every gate verdict with its figures; failed gates list their offending examples.
    func gatesSection() -> String {
        guard !artifacts.gates.isEmpty else {
            return section("gates", "Quality gates", "<p class=\"missing\">No gate verdicts: the pipeline has no gate nodes, or none has been built.</p>\n")
        }
        var out = table(["Gate", "Verdict", "Severity", "Findings", "Message"], artifacts.gates.map { gate -> [Cell] in
            guard let report = gate.report.value else {
                let text = gate.report.isAbsent ? "not built" : "unreadable"
                return [.raw("<a href=\"#gate-\(Markup.anchor(gate.name))\">\(Markup.escape(gate.name))</a>"), .raw("<i>\(text)</i>"), .text("–"), .text("–"), .text("–")]
            }
            let override = isOverridden(gate.name, report) ? " <span class=\"override\">OVERRIDDEN</span>" : ""
            return [.raw("<a href=\"#gate-\(Markup.anchor(gate.name))\">\(Markup.escape(gate.name))</a>"),
                    .raw("<span class=\"state s-\(report.status.rawValue)\">\(report.status.rawValue)</span>\(override)"),
                    .text(report.severity), .number(Double(report.findingCount)), .text(report.message)]
        })
        for gate in artifacts.gates {
            out += "<h3 id=\"gate-\(Markup.anchor(gate.name))\">\(Markup.escape(gate.name))</h3>\n"
            guard let report = gate.report.value else {
                out += unavailable(gate.report)
                continue
            }
            out += "<p><code>\(Markup.escape(report.gate))</code>: <span class=\"state s-\(report.status.rawValue)\">\(report.status.rawValue)</span> — \(Markup.escape(report.message))</p>\n"
            if isOverridden(gate.name, report) {
                out += "<p class=\"override\">This gate failed with severity error and was overridden: everything below it was built past a failed gate.</p>\n"
            }
            let names = Set(report.figures.keys).union(report.thresholds.keys).sorted()
            if !names.isEmpty {
                out += table(["Figure", "Measured", "Threshold"], names.map { [.text($0), .number(report.figures[$0]), .number(report.thresholds[$0])] })
            }
            if !report.findings.isEmpty {
                let shown = report.findings.prefix(report.status == .fail ? 20 : 5)
                out += "<p>\(report.findingCount) finding\(report.findingCount == 1 ? "" : "s")\(report.findingCount > shown.count ? ", first \(shown.count) shown" : ""):</p>\n"
                out += table(["Kind", "Where", "Field", "Message", "Related", "Score"], shown.map { finding in
                    let place = finding.file + (finding.line.map { ":\($0)" } ?? "")
                    let related = finding.related.map { "\($0.file):\($0.line)" + ($0.field.map { " (\($0))" } ?? "") } ?? "–"
                    return [.text(finding.kind), .raw("<code>\(Markup.escape(place))</code>"), .text(finding.field ?? "–"), .long(finding.message), .text(related), .number(finding.score)]
                })
            }
            out += provenance(gate.report.origin)
        }
        return section("gates", "Quality gates", out)
    }
}

extension Loaded {
    /// Whether the artifact is missing (never built) rather than unreadable.
    var isAbsent: Bool {
        if case .absent = self { return true }
        return false
    }
}
