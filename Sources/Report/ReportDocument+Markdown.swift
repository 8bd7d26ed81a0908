import Charts
import Foundation
import Training

extension ReportDocument {
    /// `summary.md`: the headline figures, gates, final scores, win rates and lineage as Markdown.
    func markdown() -> String {
        var lines = ["# RLHF report: \(experiment)", ""]
        if let catalog {
            lines += ["Pipeline hash `\(catalog.pipelineHash.prefix(16))`.", "", "| Node | Kind | State | Run |", "|---|---|---|---|"]
            lines += catalog.nodes.map { "| \($0.name) | \($0.kind) | \($0.state)\($0.detail.map { " (\($0))" } ?? "") | \($0.runId.map { "run \($0)" } ?? "–") |" }
            lines.append("")
        }
        lines += ["## Gates", ""]
        if artifacts.gates.isEmpty { lines.append("No gate verdicts.") }
        for gate in artifacts.gates {
            if let report = gate.report.value {
                let override = isOverridden(gate.name, report) ? " **OVERRIDDEN**" : ""
                lines.append("- **\(gate.name)**: \(report.status.rawValue)\(override) — \(report.message)")
            } else {
                lines.append("- **\(gate.name)**: \(gate.report.isAbsent ? "not built" : "unreadable")")
            }
        }
        lines += seedsMarkdown()
        lines += ["", "## Final evaluation", ""]
        if let final = artifacts.finalEval.value {
            let length = Self.modelLengths([final])
            lines += ["| Model | Gold mean | RM mean | Length (\(length.unit)) | KL to SFT |", "|---|---:|---:|---:|---:|"]
            lines += final.models.map { "| \($0.model) | \($0.goldMean.map { Markup.number($0) } ?? "–") | \($0.rmMean.map { Markup.number($0) } ?? "–") | \(length.read(0, $0).map { Markup.number($0) } ?? "–") | \(Markup.number($0.klToSFT)) |" }
            lines += ["", "| A | B | Judge | Win rate | 95% CI |", "|---|---|---|---:|---|"]
            lines += WinRate.onePerComparison(final.winRates).map { "| \($0.a) | \($0.b) | \($0.judge) | \(Markup.number($0.winRate)) | [\(Markup.number($0.ciLow)), \(Markup.number($0.ciHigh))] |" }
            if let hacking = final.rewardHacking { lines += ["", hacking.verdict] }
        } else {
            lines.append(Self.plain(artifacts.finalEval))
        }
        lines += ["", "## PPO", ""]
        if let metrics = artifacts.ppoMetrics.value, let last = metrics.last {
            lines.append("\(metrics.count) iterations; last: RM score \(Markup.number(last.rmScoreMean)), gold \(last.goldScoreMean.map { Markup.number($0) } ?? "–"), KL \(Markup.number(last.klMean)), β \(Markup.number(last.beta)), length \(Markup.number(last.responseLengthMean)) tokens.")
        } else {
            lines.append(Self.plain(artifacts.ppoMetrics))
        }
        for (title, loaded) in [("SFT", artifacts.sftEval), ("Reward model", artifacts.rmEval)] {
            lines += ["", "## \(title)", ""]
            if let value = loaded.value {
                lines += JSONFacts.scalars(value).filter { $0.path.split(separator: ".").count <= 3 && !$0.path.contains(".by_") }
                    .map { "- \($0.path): \(Markup.number($0.value))" }
            } else {
                lines.append(Self.plain(loaded))
            }
        }
        if let catalog, !catalog.lineage.isEmpty {
            lines += ["", "## Lineage", ""]
            lines += catalog.lineage.map { phrases in
                "- " + phrases.map { phrase -> String in
                    switch phrase {
                    case let .text(text): return text
                    case let .hash(hash, _): return "`\(hash.prefix(12))`"
                    }
                }.joined()
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func plain<T>(_ loaded: Loaded<T>) -> String {
        switch loaded {
        case let .absent(text): return "_\(text)._"
        case let .unreadable(text): return "_Cannot read: \(text)._"
        case .value: return ""
        }
    }
}
