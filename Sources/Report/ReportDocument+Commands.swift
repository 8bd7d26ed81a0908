import Charts
import EngineCore

extension ReportDocument {
    /// Metrics of `command` nodes (outside trainers such as a TRL script): each metric's first and last value and its curve.
    func outsideTrainersSection(_ catalog: ReportCatalogView) -> String {
        var out = "<p>Points a command node appended to <code>$RLHF_METRICS</code> or its Hugging Face Trainer wrote to "
            + "<code>trainer_state.json</code>.</p>\n"
        for entry in catalog.commandMetrics {
            let byName = Dictionary(grouping: entry.points, by: \.name).mapValues { $0.sorted { $0.step < $1.step } }
            let names = byName.keys.sorted()
            out += "<h3>\(Markup.escape(entry.node))\(entry.runId.map { " (run \($0))" } ?? "")</h3>\n"
            out += table(["Metric", "Points", "First", "Last", "Last step"], names.map { name in
                let points = byName[name]!
                return [.text(name), .number(Double(points.count)), .number(points.first?.value), .number(points.last?.value),
                        .number(points.last.map { Double($0.step) })]
            }, id: "command-metrics-\(entry.node)")
            let series = names.filter { byName[$0]!.count > 1 }.prefix(8).enumerated().map { index, name in
                ChartSeries(label: name, points: byName[name]!.map { ChartPoint(x: Double($0.step), y: $0.value) }, color: index)
            }
            let chart = LineChart(labels: ChartLabels(title: "\(entry.node): metrics per step", x: "step", y: "value"), series: Array(series))
            if chart.hasData { out += "<div class=\"charts\">" + figure(chart, caption: "Every metric with more than one point.") + "</div>\n" }
        }
        return section("outside-trainers", "Outside trainers", out)
    }
}
