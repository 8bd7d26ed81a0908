/// An SVG line chart: one or two vertical axes, long series thinned with LTTB for drawing.
public struct LineChart {
    /// Most points drawn per series; longer series are downsampled (summaries use the full data).
    public static let maxDrawnPoints = 400

    /// Series this short also get a dot per point, so sparse data stays visible.
    static let markedPoints = 40

    /// Titles and units.
    var labels: ChartLabels
    /// The series, each sorted by x.
    var series: [ChartSeries]
    /// Whether series are drawn as dots instead of lines (scatter plots).
    var dots: Bool
    /// Whether the left axis must include zero.
    var includeZero: Bool
    /// A dashed reference line, e.g. the diagonal of a calibration plot (from, to in data units).
    var reference: (ChartPoint, ChartPoint)?
    /// Whether the left axis is base-10 logarithmic (losses); points at or below 0 are left out of the drawing.
    var logScale: Bool

    /// A chart of `series` drawn as lines, the left axis linear and fitted to the data, without a reference line unless told otherwise.
    public init(labels: ChartLabels, series: [ChartSeries], dots: Bool = false, includeZero: Bool = false,
                reference: (ChartPoint, ChartPoint)? = nil, logScale: Bool = false) {
        self.labels = labels
        self.series = series
        self.dots = dots
        self.includeZero = includeZero
        self.reference = reference
        self.logScale = logScale
    }

    /// Whether any series has a point to draw.
    public var hasData: Bool { series.contains { !$0.points.isEmpty } }

    /// The chart as an `<svg>` element.
    /// - Complexity: O(n) in the total number of points.
    public func svg() -> String {
        let usesRight = series.contains { $0.axis == .right && !$0.points.isEmpty }
        let legend = series.map { ($0.label + ($0.axis == .right ? " (right axis)" : ""), $0.color, $0.dashed) }
        let drawn = series.map { item -> ChartSeries in
            var copy = item
            if logScale && item.axis == .left { copy.points = item.points.filter { $0.y > 0 } }
            copy.points = dots && !item.asLine ? copy.points : Downsample.lttb(copy.points, threshold: Self.maxDrawnPoints)
            return copy
        }
        let xs = drawn.flatMap { $0.points.map(\.x) } + (reference.map { [$0.0.x, $0.1.x] } ?? [])
        let leftValues = drawn.filter { $0.axis == .left }.flatMap { $0.points.map(\.y) } + (reference.map { [$0.0.y, $0.1.y] } ?? [])
        let xAxis = ChartAxis(values: xs, count: 6)
        let leftAxis = logScale ? ChartAxis(logValues: leftValues) : ChartAxis(values: leftValues, includeZero: includeZero)
        let rightAxis = ChartAxis(values: drawn.filter { $0.axis == .right }.flatMap { $0.points.map(\.y) })
        let frame = SVGFrame(rightAxis: usesRight, legendRows: SVGFrame.legendRows(legend.map(\.0)),
                             leftLabelChars: leftAxis.ticks.map { leftAxis.label($0).count }.max() ?? 4)

        var out = frame.open(labels, kind: dots ? "scatter" : "line")
        out += frame.legend(legend)
        out += frame.verticalAxis(leftAxis, title: labels.y + (logScale ? " (log scale)" : ""), side: .left)
        if usesRight { out += frame.verticalAxis(rightAxis, title: labels.yRight ?? "", side: .right) }
        out += frame.horizontalAxis(xAxis, title: labels.x)
        if let (from, to) = reference {
            out += "<line class=\"reference\" x1=\"\(Markup.coord(frame.x(xAxis.fraction(from.x))))\" y1=\"\(Markup.coord(frame.y(leftAxis.fraction(from.y))))\" "
                + "x2=\"\(Markup.coord(frame.x(xAxis.fraction(to.x))))\" y2=\"\(Markup.coord(frame.y(leftAxis.fraction(to.y))))\"/>"
        }
        for item in drawn where !item.points.isEmpty {
            out += Self.draw(item, frame: frame, x: xAxis, y: item.axis == .left ? leftAxis : rightAxis, dots: dots)
        }
        return out + "</svg>"
    }

    /// One series in `frame`: dots (scatter) or a polyline, with a dot per point when the series is short;
    /// a trend (`asLine`) is a bare line.
    static func draw(_ item: ChartSeries, frame: SVGFrame, x xAxis: ChartAxis, y axis: ChartAxis, dots: Bool) -> String {
        let color = ChartPalette.color(item.color)
        var out = ""
        if dots && !item.asLine {
            out += "<g class=\"series\" fill=\"\(color)\" data-count=\"\(item.points.count)\">"
            for point in item.points {
                out += "<circle class=\"point\" cx=\"\(Markup.coord(frame.x(xAxis.fraction(point.x))))\" cy=\"\(Markup.coord(frame.y(axis.fraction(point.y))))\" r=\"3.2\"/>"
            }
            return out + "</g>"
        }
        let coordinates = item.points.map { "\(Markup.coord(frame.x(xAxis.fraction($0.x)))),\(Markup.coord(frame.y(axis.fraction($0.y))))" }
        let dash = item.dashed ? " stroke-dasharray=\"6 4\"" : ""
        let kind = item.asLine ? "series trend" : "series"
        out += "<polyline class=\"\(kind)\" data-count=\"\(item.points.count)\" stroke=\"\(color)\"\(dash) points=\"\(coordinates.joined(separator: " "))\"/>"
        if item.points.count <= markedPoints && !item.asLine {
            for point in item.points {
                out += "<circle class=\"point\" fill=\"\(color)\" cx=\"\(Markup.coord(frame.x(xAxis.fraction(point.x))))\" cy=\"\(Markup.coord(frame.y(axis.fraction(point.y))))\" r=\"2.6\"/>"
            }
        }
        return out
    }
}
