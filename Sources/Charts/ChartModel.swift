/// One (x, y) data point of a chart.
public struct ChartPoint: Equatable, Sendable {
    /// Horizontal value.
    public var x: Double
    /// Vertical value.
    public var y: Double

    /// The point (`x`, `y`).
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A named series drawn as a line (or dots) in one colour.
public struct ChartSeries: Sendable {
    /// Which vertical axis a series is read against.
    public enum Axis: Sendable { case left, right }

    /// Legend label.
    var label: String
    /// Points sorted by x.
    public var points: [ChartPoint]
    /// Palette index (0…7); series of a compared experiment reuse the colour with a dash.
    var color: Int
    /// Whether the line is dashed (used for the compared experiment).
    var dashed: Bool
    /// The axis the series is scaled against.
    var axis: Axis
    /// Drawn as a line even in a scatter chart (a fitted trend over the dots).
    var asLine: Bool

    /// A series labelled `label`, solid and on the left axis unless told otherwise.
    public init(label: String, points: [ChartPoint], color: Int, dashed: Bool = false, axis: Axis = .left, asLine: Bool = false) {
        self.label = label
        self.points = points
        self.color = color
        self.dashed = dashed
        self.axis = axis
        self.asLine = asLine
    }
}

/// One bar of a grouped bar chart, with an optional confidence interval.
public struct ChartBar: Sendable {
    /// Group (x category) label.
    public var group: String
    /// Series label within the group (legend entry).
    public var series: String
    /// Bar height.
    var value: Double
    /// Lower end of the interval, if known.
    var low: Double?
    /// Upper end of the interval, if known.
    var high: Double?

    /// A bar of `value` in `group` for `series`, with an interval when `low` and `high` are known.
    public init(group: String, series: String, value: Double, low: Double? = nil, high: Double? = nil) {
        self.group = group
        self.series = series
        self.value = value
        self.low = low
        self.high = high
    }
}

/// Titles and units shared by every chart.
public struct ChartLabels: Sendable {
    /// Chart title.
    var title: String
    /// Horizontal axis label, with unit.
    var x: String
    /// Left axis label, with unit.
    var y: String
    /// Right axis label, with unit (when a series uses the right axis).
    var yRight: String?

    /// Labels for a chart titled `title`.
    public init(title: String, x: String, y: String, yRight: String? = nil) {
        self.title = title
        self.x = x
        self.y = y
        self.yRight = yRight
    }
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
