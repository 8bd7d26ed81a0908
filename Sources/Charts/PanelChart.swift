/// Line charts stacked in aligned panels over one shared x axis, so series in different units never share
/// a y axis (and never seem to track each other because two scales were fitted to them).
public struct PanelChart {
    /// One panel: its y-axis title and its series.
    public struct Panel {
        /// Y-axis title, with unit.
        var y: String
        /// The series drawn in this panel.
        var series: [ChartSeries]

        /// A panel titled `y` drawing `series`.
        public init(y: String, series: [ChartSeries]) {
            self.y = y
            self.series = series
        }
    }

    /// Height of one panel's plot area in px.
    static let panelHeight = 170.0
    /// Space between two panels in px.
    static let gap = 36.0

    /// Chart title.
    var title: String
    /// X-axis title, with unit (shared by every panel).
    var x: String
    /// The panels, top to bottom; panels without points are left out.
    var panels: [Panel]

    /// A chart titled `title` of `panels` over the shared x axis `x`.
    public init(title: String, x: String, panels: [Panel]) {
        self.title = title
        self.x = x
        self.panels = panels
    }

    /// The panels that have a point to draw.
    var drawnPanels: [Panel] { panels.filter { $0.series.contains { !$0.points.isEmpty } } }

    /// Whether any panel has a point to draw.
    public var hasData: Bool { !drawnPanels.isEmpty }

    /// The chart as one `<svg>` element: a legend on top, the panels with their own y axes and a common left
    /// edge, vertical grid lines at the shared x ticks through every panel, tick labels under the last panel.
    /// - Complexity: O(n) in the total number of points.
    public func svg() -> String {
        let shown = drawnPanels.map { panel -> Panel in
            var copy = panel
            copy.series = panel.series.map { item in
                var thinned = item
                thinned.points = Downsample.lttb(item.points, threshold: LineChart.maxDrawnPoints)
                return thinned
            }
            return copy
        }
        let legend = shown.flatMap { panel in panel.series.map { ($0.label, $0.color, $0.dashed) } }
        let legendRows = SVGFrame.legendRows(legend.map(\.0))
        let xAxis = ChartAxis(values: shown.flatMap { $0.series.flatMap { $0.points.map(\.x) } }, count: 6)
        let yAxes = shown.map { ChartAxis(values: $0.series.flatMap { $0.points.map(\.y) }, count: 4) }
        let labelChars = yAxes.flatMap { axis in axis.ticks.map { axis.label($0).count } }.max() ?? 4
        let firstTop = 52 + 13 * Double(legendRows - 1)
        let lastBottom = firstTop + Double(shown.count) * Self.panelHeight + Double(max(shown.count - 1, 0)) * Self.gap
        let height = lastBottom + 54
        let frames = shown.indices.map { index -> SVGFrame in
            let top = firstTop + Double(index) * (Self.panelHeight + Self.gap)
            return SVGFrame(rightAxis: false, legendRows: legendRows, leftLabelChars: labelChars, top: top, bottom: top + Self.panelHeight, height: height)
        }
        guard let first = frames.first, let last = frames.last else { return "" }
        var out = first.open(ChartLabels(title: title, x: x, y: shown.map(\.y).joined(separator: " | ")), kind: "panels")
        out += first.legend(legend)
        for (index, panel) in shown.enumerated() {
            let frame = frames[index]
            out += "<g class=\"panel\" data-panel=\"\(index + 1)\">"
            out += frame.verticalAxis(yAxes[index], title: panel.y, side: .left)
            for tick in xAxis.ticks {
                let x = Markup.coord(frame.x(xAxis.fraction(tick)))
                out += "<line class=\"grid\" x1=\"\(x)\" y1=\"\(Markup.coord(frame.top))\" x2=\"\(x)\" y2=\"\(Markup.coord(frame.bottom))\"/>"
            }
            out += frame.baseline
            for item in panel.series where !item.points.isEmpty {
                out += LineChart.draw(item, frame: frame, x: xAxis, y: yAxes[index], dots: false)
            }
            out += "</g>"
        }
        out += last.horizontalAxis(xAxis, title: x)
        return out + "</svg>"
    }
}
