import Charts
import Training

/// The least-squares line and the rank correlation of a cloud of points, for scatter charts.
struct TrendLine {
    /// Slope of y on x (0 when x does not vary).
    let slope: Double
    /// Value at x = 0.
    let intercept: Double
    /// Spearman rank correlation of x and y (average ranks for ties; 0 when either is constant).
    let spearman: Double
    /// Number of points.
    let count: Int
    /// Smallest and largest x.
    let xRange: ClosedRange<Double>

    /// The fit of `points`; nil for fewer than two points.
    /// - Complexity: O(n log n) (the ranks).
    init?(_ points: [ChartPoint]) {
        guard points.count >= 2, let low = points.map(\.x).min(), let high = points.map(\.x).max() else { return nil }
        let xs = points.map(\.x), ys = points.map(\.y)
        let mx = Statistics.mean(xs), my = Statistics.mean(ys)
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(xs, ys) {
            sxy += (x - mx) * (y - my)
            sxx += (x - mx) * (x - mx)
        }
        slope = sxx > 0 ? sxy / sxx : 0
        intercept = my - slope * mx
        spearman = Statistics.spearman(xs, ys) ?? 0
        count = points.count
        xRange = low...high
    }

    /// The fitted line from the smallest to the largest x, as a two-point series drawn as a dashed line.
    func series(label: String, color: Int) -> ChartSeries {
        ChartSeries(label: label, points: [xRange.lowerBound, xRange.upperBound].map { ChartPoint(x: $0, y: intercept + slope * $0) },
                    color: color, dashed: true, asLine: true)
    }
}
