/// An SVG grouped bar chart with optional confidence-interval whiskers and a reference line.
public struct BarChart {
    /// Titles and units (`labels.x` names the groups).
    var labels: ChartLabels
    /// The bars; groups and series appear in first-seen order.
    var bars: [ChartBar]
    /// A horizontal reference value (e.g. 0.5 for win rates), drawn dashed.
    var reference: Double?
    /// Fixed vertical range, e.g. 0…1 for scores.
    var range: ClosedRange<Double>?

    /// A chart of `bars`, without a reference line or fixed range unless told otherwise.
    public init(labels: ChartLabels, bars: [ChartBar], reference: Double? = nil, range: ClosedRange<Double>? = nil) {
        self.labels = labels
        self.bars = bars
        self.reference = reference
        self.range = range
    }

    /// Whether there is a bar to draw.
    public var hasData: Bool { !bars.isEmpty }

    /// The chart as an `<svg>` element.
    public func svg() -> String {
        let groups = bars.map(\.group).uniqued()
        let seriesNames = bars.map(\.series).uniqued()
        var values = bars.flatMap { [$0.value, $0.low ?? $0.value, $0.high ?? $0.value] }
        if let range { values += [range.lowerBound, range.upperBound] }
        if let reference { values.append(reference) }
        let axis = ChartAxis(values: values, includeZero: true)
        let frame = SVGFrame(rightAxis: false, legendRows: SVGFrame.legendRows(seriesNames),
                             leftLabelChars: axis.ticks.map { axis.label($0).count }.max() ?? 4)
        var out = frame.open(labels, kind: "bars")
        out += frame.legend(seriesNames.enumerated().map { ($1, $0, false) })
        out += frame.verticalAxis(axis, title: labels.y, side: .left)
        out += frame.baseline
        let groupWidth = (frame.right - frame.left) / Double(max(groups.count, 1))
        let barWidth = min(36, groupWidth * 0.8 / Double(max(seriesNames.count, 1)))
        let zero = frame.y(axis.fraction(0))
        for (g, group) in groups.enumerated() {
            let center = frame.left + groupWidth * (Double(g) + 0.5)
            let start = center - barWidth * Double(seriesNames.count) / 2
            for bar in bars where bar.group == group {
                let s = seriesNames.firstIndex(of: bar.series) ?? 0
                let x = start + barWidth * Double(s)
                let top = frame.y(axis.fraction(bar.value))
                out += "<rect class=\"bar\" x=\"\(Markup.coord(x + 1))\" y=\"\(Markup.coord(min(top, zero)))\" width=\"\(Markup.coord(barWidth - 2))\" "
                    + "height=\"\(Markup.coord(max(abs(zero - top), 0.5)))\" fill=\"\(ChartPalette.color(s))\"><title>\(Markup.escape("\(bar.series) · \(group): \(Markup.number(bar.value))"))</title></rect>"
                if let low = bar.low, let high = bar.high {
                    let mid = Markup.coord(x + barWidth / 2)
                    let y1 = Markup.coord(frame.y(axis.fraction(low))), y2 = Markup.coord(frame.y(axis.fraction(high)))
                    out += "<path class=\"whisker\" d=\"M\(mid) \(y1) V\(y2) M\(Markup.coord(x + barWidth / 2 - 4)) \(y1) h8 M\(Markup.coord(x + barWidth / 2 - 4)) \(y2) h8\"/>"
                }
            }
            let label = group.count > 16 ? String(group.prefix(15)) + "…" : group
            out += "<text class=\"group\" x=\"\(Markup.coord(center))\" y=\"\(Markup.coord(frame.bottom + 16))\" text-anchor=\"middle\">\(Markup.escape(label))</text>"
        }
        if let reference {
            let y = Markup.coord(frame.y(axis.fraction(reference)))
            out += "<line class=\"reference\" x1=\"\(Markup.coord(frame.left))\" y1=\"\(y)\" x2=\"\(Markup.coord(frame.right))\" y2=\"\(y)\"/>"
        }
        out += frame.xTitle(labels.x)
        return out + "</svg>"
    }
}

extension Array where Element: Hashable {
    /// The elements in first-seen order without repeats.
    public func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
