/// A chart's content without its drawing: what `rlhf report --json` prints for each figure.
public struct ChartData: Codable, Sendable, Equatable {
    /// One plotted series.
    public struct Series: Codable, Sendable, Equatable {
        /// Legend label.
        public var name: String
        /// `left` or `right` axis.
        public var axis: String
        /// Every point as `[x, y]` (all of them, not the thinned drawing).
        public var points: [[Double]]
    }

    /// One bar.
    public struct Bar: Codable, Sendable, Equatable {
        /// The group on the x axis.
        public var group: String
        /// The series within the group.
        public var series: String
        /// The value.
        public var value: Double
        /// Lower end of the interval, if any.
        public var low: Double?
        /// Upper end of the interval, if any.
        public var high: Double?
    }

    /// `line`, `scatter`, `panels` or `bar`.
    public var kind: String
    /// Chart title.
    public var title: String
    /// X-axis label.
    public var x: String
    /// Left y-axis label.
    public var y: String
    /// Right y-axis label, if any.
    public var yRight: String?
    /// The caption under the figure.
    public var caption: String
    /// Series of a line chart.
    public var series: [Series]
    /// Bars of a bar chart.
    public var bars: [Bar]
    /// `log` when the left (or only) y axis is logarithmic; absent when linear.
    public var scale: String?
    /// The y-axis titles of a `panels` chart, top to bottom (each series' `axis` is `panel N`).
    public var panels: [String]?
}

extension LineChart {
    /// The chart's data with `caption`.
    public func data(caption: String) -> ChartData {
        ChartData(kind: dots ? "scatter" : "line", title: labels.title, x: labels.x, y: labels.y, yRight: labels.yRight, caption: caption,
                  series: series.map { ChartData.Series(name: $0.label, axis: $0.axis == .left ? "left" : "right", points: $0.points.map { [$0.x, $0.y] }) },
                  bars: [], scale: logScale ? "log" : nil)
    }
}

extension PanelChart {
    /// The chart's data with `caption`: the panels it draws and each series tagged with its panel.
    public func data(caption: String) -> ChartData {
        let shown = drawnPanels
        return ChartData(kind: "panels", title: title, x: x, y: shown.map(\.y).joined(separator: " | "), yRight: nil, caption: caption,
                         series: shown.enumerated().flatMap { index, panel in
                             panel.series.map { ChartData.Series(name: $0.label, axis: "panel \(index + 1)", points: $0.points.map { [$0.x, $0.y] }) }
                         },
                         bars: [], panels: shown.map(\.y))
    }
}

extension BarChart {
    /// The chart's data with `caption`.
    public func data(caption: String) -> ChartData {
        ChartData(kind: "bar", title: labels.title, x: labels.x, y: labels.y, yRight: labels.yRight, caption: caption, series: [],
                  bars: bars.map { ChartData.Bar(group: $0.group, series: $0.series, value: $0.value, low: $0.low, high: $0.high) })
    }
}
