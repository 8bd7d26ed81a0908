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
            let rows = Self.pairedFigures(report)
            if !rows.isEmpty {
                out += table(["Figure", "Measured", "Limit", "Result"], rows.map { row in
                    [.text(row.figure), .number(row.value), .text(row.limit), row.passed.map { passed in
                        .raw("<span class=\"state s-\(passed ? "pass" : "fail")\">\(passed ? "pass" : "fail")</span>") } ?? .text("–")]
                })
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

/// One row of a gate's figure table: a measured figure beside the limit it is held to.
struct GateFigureRow: Equatable {
    /// The figure's name (or the setting's, for a threshold that limits no figure).
    var figure: String
    /// The measured value (nil for a setting).
    var value: Double?
    /// `≤ 0.1`, `≥ 0.7`, `= 3` (a setting) or `–` (no limit).
    var limit: String
    /// Whether the figure is within its limit (nil without a limit or without a value).
    var passed: Bool?
}

extension ReportDocument {
    /// The gate's figures each beside its threshold: `max_X` limits figure `X` from above, `min_X`
    /// from below, `max_abs_X` limits |X|; other thresholds are settings shown on their own rows.
    static func pairedFigures(_ report: GateReport) -> [GateFigureRow] {
        var rows: [GateFigureRow] = []
        var paired = Set<String>()
        for (name, limit) in report.thresholds.sorted(by: { $0.key < $1.key }) {
            let rule: (prefix: String, sign: String, test: (Double) -> Bool)?
            if name.hasPrefix("max_abs_") { rule = ("max_abs_", "|x| ≤", { abs($0) <= limit }) }
            else if name.hasPrefix("max_") { rule = ("max_", "≤", { $0 <= limit }) }
            else if name.hasPrefix("min_") { rule = ("min_", "≥", { $0 >= limit }) }
            else { rule = nil }
            guard let rule else {
                rows.append(GateFigureRow(figure: name, value: nil, limit: "= " + Markup.number(limit), passed: nil))
                continue
            }
            let figure = String(name.dropFirst(rule.prefix.count))
            let value = report.figures[figure]
            if value != nil { paired.insert(figure) }
            rows.append(GateFigureRow(figure: value != nil ? figure : name, value: value, limit: "\(rule.sign) " + Markup.number(limit), passed: value.map(rule.test)))
        }
        for (name, value) in report.figures.sorted(by: { $0.key < $1.key }) where !paired.contains(name) {
            rows.append(GateFigureRow(figure: name, value: value, limit: "–", passed: nil))
        }
        return rows
    }
}

extension Loaded {
    /// Whether the artifact is missing (never built) rather than unreadable.
    var isAbsent: Bool {
        if case .absent = self { return true }
        return false
    }
}
