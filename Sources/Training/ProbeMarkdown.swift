import Foundation

/// The Markdown report of a probe: gold per family and scenario, format adherence, samples.
public struct ProbeMarkdown {
    /// Aggregates.
    let summary: ProbeSummary
    /// Scored greedy responses.
    let greedy: [GoldReport.Item]
    /// Scored sampled responses.
    let sampled: [GoldReport.Item]
    /// Samples listed.
    let shown: Int

    /// The report of `summary`, listing up to `shown` of the `greedy` and `sampled` responses.
    public init(summary: ProbeSummary, greedy: [GoldReport.Item], sampled: [GoldReport.Item], shown: Int) {
        self.summary = summary
        self.greedy = greedy
        self.sampled = sampled
        self.shown = shown
    }

    /// The report text.
    public var text: String {
        var lines = ["# \(summary.title)", "",
                     "Gold judge scores in [0, 1] on \(summary.greedy.overall.count) prompts; greedy decoding and "
                        + "sampling at T=\(summary.temperature). Later stages should beat these numbers.", "",
                     "| group | n | greedy gold | greedy correct | sampled gold | sampled correct |",
                     "|---|---:|---:|---:|---:|---:|"]
        func row(_ label: String, _ a: GoldStat?, _ b: GoldStat?) -> String {
            "| \(label) | \(a?.count ?? 0) | \(Self.f(a?.meanGold)) | \(Self.f(a?.correctRate)) | \(Self.f(b?.meanGold)) | \(Self.f(b?.correctRate)) |"
        }
        lines.append(row("**all**", summary.greedy.overall, summary.sampled.overall))
        for scenario in summary.greedy.byScenario.keys.sorted() {
            lines.append(row("scenario: \(scenario)", summary.greedy.byScenario[scenario], summary.sampled.byScenario[scenario]))
        }
        for family in summary.greedy.byFamily.keys.sorted() {
            lines.append(row("family: \(family)", summary.greedy.byFamily[family], summary.sampled.byFamily[family]))
        }
        lines += ["", "## Format", "",
                  "| pass | ends at EOS | role markers | format adherence | mean length (chars) |", "|---|---:|---:|---:|---:|",
                  "| greedy | \(Self.f(summary.greedy.eosRate)) | \(Self.f(summary.greedy.roleMarkerRate)) | "
                    + "\(Self.f(summary.greedy.formatAdherence)) | \(String(format: "%.1f", summary.greedy.meanLength)) |",
                  "| sampled | \(Self.f(summary.sampled.eosRate)) | \(Self.f(summary.sampled.roleMarkerRate)) | "
                    + "\(Self.f(summary.sampled.formatAdherence)) | \(String(format: "%.1f", summary.sampled.meanLength)) |",
                  "", "## Samples", "", "| mode | prompt | response | EOS | gold |", "|---|---|---|---|---:|"]
        let picks = zip(greedy, sampled).prefix(max(0, shown / 2)).flatMap { [$0.0, $0.1] }
        for item in picks {
            lines.append("| \(item.completion.temperature == 0 ? "greedy" : "sampled") | \(Self.cell(item.completion.prompt)) | "
                         + "\(Self.cell(item.completion.text)) | \(item.completion.reachedEOS ? "yes" : "no") | \(Self.f(item.gold.value)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A number with three decimals, or "-".
    static func f(_ value: Double?) -> String {
        value.map { String(format: "%.3f", $0) } ?? "-"
    }

    /// Text safe inside a Markdown table cell (pipes and newlines escaped, at most 80 characters).
    static func cell(_ text: String) -> String {
        let clipped = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return "`" + clipped.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: "⏎")
            .replacingOccurrences(of: "`", with: "'") + "`"
    }
}
