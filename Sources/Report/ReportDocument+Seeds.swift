import Charts
import Foundation
import Training

extension ReportDocument {
    /// The headline figures first, then families and scenarios, each group in name order.
    static let seedFigureOrder = ["gold_gain", "greedy_gold_gain", "rm_gain", "win_rate_vs_sft.gold", "win_rate_vs_sft.gold.ci_low",
                                  "win_rate_vs_sft.gold_greedy", "win_rate_vs_sft.gold_greedy.ci_low", "gold.sft", "gold.policy",
                                  "greedy_gold.sft", "greedy_gold.policy", "kl_to_sft", "slice_alarm.fired"]

    /// `aggregate`'s figures in reading order: the headline ones, other overall ones, then per family, then per scenario.
    static func orderedFigures(_ aggregate: SeedAggregate) -> [SeedFigure] {
        func rank(_ name: String) -> (Int, Int, String) {
            if let index = seedFigureOrder.firstIndex(of: name) { return (0, index, name) }
            if name.contains(".family:") { return (2, 0, name) }
            if name.contains(".scenario:") { return (3, 0, name) }
            return (1, 0, name)
        }
        return aggregate.figures.sorted { rank($0.name) < rank($1.name) }
    }

    /// "Across seeds": every aggregated figure as mean, 95% interval, a strip of the seeds' values and each seed's value,
    /// with a chart of the gold gains (overall, greedy, per family and scenario); empty for an experiment that is not replicated.
    func seedsSection() -> String {
        guard let aggregate = artifacts.seedAggregate.value else {
            if case .unreadable = artifacts.seedAggregate { return section("seeds", "Across seeds", unavailable(artifacts.seedAggregate)) }
            return ""
        }
        let labels = aggregate.seeds.map(SeedAggregate.seedLabel)
        let compared = comparedFigures()
        var out = "<p>Replicated over \(labels.count) seeds (\(Markup.escape(labels.joined(separator: ", ")))): each figure is the mean over the seeds "
            + "with a Student-t 95% interval, every seed's value beside it. Gains are policy − SFT.</p>\n"
        if let shown = artifacts.finalEval.origin?.node {
            out += "<p>The sections below show one seed's run (<code>\(Markup.escape(shown))</code> and the nodes it stands on); every seed's gates are listed.</p>\n"
        }
        if let gain = aggregate.figure("gold_gain") {
            out += "<p><b>\(Markup.escape(Self.seedVerdict(gain)))</b></p>\n"
        }
        let chart = seedGainChart(aggregate, compared: compared)
        if chart.hasData {
            out += "<div class=\"charts\">" + figure(chart, caption: "Bars: each seed's gold gain over SFT; the last bar of a group is the mean with its "
                + "Student-t 95% interval across seeds. A whisker clear of 0 is a gain that survives a new seed.") + "</div>\n"
        }
        var headers = ["Figure", "Mean", "95% CI", "Spread"] + labels.map { "seed \($0)" }
        if let compared { headers += ["\(compared.name) (mean)", "Δ mean"] }
        let rows = Self.orderedFigures(aggregate).map { figure -> [Cell] in
            var row: [Cell] = [.text(figure.name), .number(figure.mean), Self.interval(figure), .raw(Self.spreadStrip(figure))]
            row += aggregate.seeds.map { .number(figure.perSeed[$0]) }
            if let compared {
                let other = compared.figures[figure.name]
                row += [.number(other), .delta(other.map { figure.mean - $0 })]
            }
            return row
        }
        out += table(headers, rows, id: "seed-aggregate")
        out += provenance(artifacts.seedAggregate.origin)
        return section("seeds", "Across seeds", out)
    }

    /// The Markdown of the aggregate for `summary.md` (no lines when the experiment is not replicated).
    func seedsMarkdown() -> [String] {
        guard let aggregate = artifacts.seedAggregate.value else { return [] }
        let labels = aggregate.seeds.map(SeedAggregate.seedLabel)
        var lines = ["", "## Across seeds", "", "Replicated over \(labels.count) seeds; mean with a Student-t 95% interval, then each seed's value.", ""]
        if let gain = aggregate.figure("gold_gain") { lines += [Self.seedVerdict(gain), ""] }
        lines += ["| Figure | Mean | 95% CI | " + labels.map { "seed \($0)" }.joined(separator: " | ") + " |",
                  "|---|---:|---|" + labels.map { _ in "---:|" }.joined()]
        for figure in Self.orderedFigures(aggregate) {
            let interval = figure.ciLow.flatMap { low in figure.ciHigh.map { "[\(Markup.number(low)), \(Markup.number($0))]" } } ?? "–"
            lines.append("| \(figure.name) | \(Markup.number(figure.mean)) | \(interval) | "
                + aggregate.seeds.map { figure.perSeed[$0].map { Markup.number($0) } ?? "–" }.joined(separator: " | ") + " |")
        }
        return lines
    }

    /// One sentence on the mean gold gain: its interval, and whether it clears zero.
    static func seedVerdict(_ gain: SeedFigure) -> String {
        let mean = (gain.mean >= 0 ? "+" : "") + Markup.number(gain.mean)
        guard let low = gain.ciLow, let high = gain.ciHigh else { return "Mean gold gain over SFT \(mean) (one seed: no interval)." }
        let range = "[\(Markup.number(low)), \(Markup.number(high))]"
        if low > 0 { return "Mean gold gain over SFT \(mean), 95% CI \(range) across \(gain.perSeed.count) seeds: the gain survives a new seed." }
        if high < 0 { return "Mean gold gain over SFT \(mean), 95% CI \(range) across \(gain.perSeed.count) seeds: the policy is worse than SFT." }
        return "Mean gold gain over SFT \(mean), 95% CI \(range) across \(gain.perSeed.count) seeds: the interval includes 0, so the seeds do not show a gain."
    }

    /// The compared experiment's figures: its aggregate's means, or the headline figures of its single evaluation.
    private func comparedFigures() -> (name: String, figures: [String: Double])? {
        guard let comparison else { return nil }
        if let aggregate = comparison.artifacts.seedAggregate.value {
            return (comparison.name, Dictionary(uniqueKeysWithValues: aggregate.figures.map { ($0.name, $0.mean) }))
        }
        guard let final = comparison.artifacts.finalEval.value else { return nil }
        return (comparison.name, SeedAggregate.headline(final))
    }

    /// Gold gain bars per seed and the mean with its interval, overall, greedy, per family and per scenario.
    private func seedGainChart(_ aggregate: SeedAggregate, compared: (name: String, figures: [String: Double])?) -> BarChart {
        var bars: [ChartBar] = []
        for figure in Self.orderedFigures(aggregate) where figure.name.hasPrefix("gold_gain") || figure.name == "greedy_gold_gain" {
            let group = figure.name == "gold_gain" ? "overall" : figure.name == "greedy_gold_gain" ? "greedy"
                : String(figure.name.split(separator: ":", maxSplits: 1).last ?? "")
            for seed in aggregate.seeds {
                if let value = figure.perSeed[seed] { bars.append(ChartBar(group: group, series: "seed \(SeedAggregate.seedLabel(seed))", value: value)) }
            }
            bars.append(ChartBar(group: group, series: "mean", value: figure.mean, low: figure.ciLow, high: figure.ciHigh))
            if let compared, let other = compared.figures[figure.name] {
                bars.append(ChartBar(group: group, series: "\(compared.name): mean", value: other))
            }
        }
        return BarChart(labels: ChartLabels(title: "Gold gain over SFT across seeds (mean, 95% CI)", x: "overall, greedy, family, scenario",
                                            y: "policy − SFT gold"), bars: bars, reference: 0)
    }

    /// The interval cell: `[low, high]`, or "–" below 2 seeds.
    private static func interval(_ figure: SeedFigure) -> Cell {
        guard let low = figure.ciLow, let high = figure.ciHigh else { return .text("–") }
        return Cell(html: "<td class=\"num\">[\(Markup.number(low)), \(Markup.number(high))]</td>")
    }

    /// A 150×16 strip: the 95% interval as a grey bar, the mean as a tick, each seed as a dot, and a dashed line at
    /// the no-change value (0 for gains, 0.5 for win rates) when it is in range.
    static func spreadStrip(_ figure: SeedFigure) -> String {
        let width = 150.0, height = 16.0, pad = 6.0
        let reference: Double? = figure.name.hasPrefix("win_rate") ? 0.5 : (figure.name.contains("gain") ? 0 : nil)
        var values = Array(figure.perSeed.values) + [figure.mean]
        if let low = figure.ciLow, let high = figure.ciHigh { values += [low, high] }
        if let reference { values.append(reference) }
        let finite = values.filter(\.isFinite)
        guard let lowest = finite.min(), let highest = finite.max() else { return "–" }
        let span = highest > lowest ? highest - lowest : 1
        func x(_ value: Double) -> String { Markup.coord(pad + (value - lowest) / span * (width - 2 * pad)) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"spread\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "role=\"img\" aria-label=\"\(Markup.escape("\(figure.name): seeds from \(Markup.number(lowest)) to \(Markup.number(highest))"))\">"
        if let reference {
            out += "<line x1=\"\(x(reference))\" y1=\"1\" x2=\"\(x(reference))\" y2=\"15\" stroke=\"#6e7781\" stroke-dasharray=\"2 2\"/>"
        }
        if let low = figure.ciLow, let high = figure.ciHigh, low.isFinite, high.isFinite {
            out += "<line x1=\"\(x(low))\" y1=\"8\" x2=\"\(x(high))\" y2=\"8\" stroke=\"#afb8c1\" stroke-width=\"5\"/>"
        }
        out += "<line x1=\"\(x(figure.mean))\" y1=\"2\" x2=\"\(x(figure.mean))\" y2=\"14\" stroke=\"#1b1f24\" stroke-width=\"2\"/>"
        for seed in figure.perSeed.keys.sorted() where figure.perSeed[seed]!.isFinite {
            out += "<circle cx=\"\(x(figure.perSeed[seed]!))\" cy=\"8\" r=\"3\" fill=\"#0969da\" fill-opacity=\"0.75\">"
                + "<title>\(Markup.escape("seed \(SeedAggregate.seedLabel(seed)): \(Markup.number(figure.perSeed[seed]!))"))</title></circle>"
        }
        return out + "</svg>"
    }
}
