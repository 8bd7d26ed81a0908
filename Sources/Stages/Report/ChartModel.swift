/// One (x, y) data point of a chart.
struct ChartPoint: Equatable, Sendable {
    /// Horizontal value.
    var x: Double
    /// Vertical value.
    var y: Double
}

/// A named series drawn as a line (or dots) in one colour.
struct ChartSeries: Sendable {
    /// Which vertical axis a series is read against.
    enum Axis: Sendable { case left, right }

    /// Legend label.
    var label: String
    /// Points sorted by x.
    var points: [ChartPoint]
    /// Palette index (0…7); series of a compared experiment reuse the colour with a dash.
    var color: Int
    /// Whether the line is dashed (used for the compared experiment).
    var dashed: Bool = false
    /// The axis the series is scaled against.
    var axis: Axis = .left
}

/// One bar of a grouped bar chart, with an optional confidence interval.
struct ChartBar: Sendable {
    /// Group (x category) label.
    var group: String
    /// Series label within the group (legend entry).
    var series: String
    /// Bar height.
    var value: Double
    /// Lower end of the interval, if known.
    var low: Double?
    /// Upper end of the interval, if known.
    var high: Double?
}

/// Titles and units shared by every chart.
struct ChartLabels: Sendable {
    /// Chart title.
    var title: String
    /// Horizontal axis label, with unit.
    var x: String
    /// Left axis label, with unit.
    var y: String
    /// Right axis label, with unit (when a series uses the right axis).
    var yRight: String? = nil
}

/// The chart palette (colour-blind friendly Okabe–Ito order).
enum ChartPalette {
    /// Stroke colours.
    static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F7F7F", "#000000"]

    /// The colour of palette index `index` (wrapping).
    static func color(_ index: Int) -> String {
        colors[((index % colors.count) + colors.count) % colors.count]
    }
}
