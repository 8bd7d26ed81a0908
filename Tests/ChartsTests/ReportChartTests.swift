import XCTest
@testable import Charts
@testable import Report
import TestSupport

/// Chart primitives: downsampling, axes, escaping.
final class ReportChartTests: XCTestCase {
    func testLTTBKeepsEndpointsExtremesAndBudget() {
        var points = (0..<10_000).map { ChartPoint(x: Double($0), y: sin(Double($0) / 300)) }
        points[5_000].y = 9
        let thinned = Downsample.lttb(points, threshold: 400)
        XCTAssertEqual(thinned.count, 400)
        XCTAssertEqual(thinned.first, points.first)
        XCTAssertEqual(thinned.last, points.last)
        XCTAssertTrue(thinned.contains(points[5_000]), "a spike must survive downsampling")
        XCTAssertEqual(thinned.map(\.x), thinned.map(\.x).sorted())
        XCTAssertEqual(Downsample.lttb(Array(points.prefix(10)), threshold: 400).count, 10)
    }

    func testLineChartDrawsAtMostTheBudgetButCountsEverything() {
        let points = (0..<5_000).map { ChartPoint(x: Double($0), y: Double($0 % 7)) }
        let svg = LineChart(labels: ChartLabels(title: "t", x: "x", y: "y"), series: [ChartSeries(label: "s", points: points, color: 0)]).svg()
        XCTAssertTrue(svg.contains("data-count=\"\(LineChart.maxDrawnPoints)\""))
        XCTAssertNil(ReportXHTML(svg).error)
    }

    func testAxisTicksCoverTheDataWithNiceSteps() {
        let axis = ChartAxis(values: [0.13, 0.87])
        XCTAssertLessThanOrEqual(axis.low, 0.13)
        XCTAssertGreaterThanOrEqual(axis.high, 0.87)
        XCTAssertEqual(axis.ticks.first, axis.low)
        XCTAssertEqual(axis.label(0.2), "0.2")
        let flat = ChartAxis(values: [5, 5])
        XCTAssertLessThan(flat.low, 5)
        XCTAssertGreaterThan(flat.high, 5)
    }

    func testEscapingKeepsMarkupWellFormed() {
        let text = Markup.escape("a<b & \"c\" 'd' \u{1}")
        XCTAssertEqual(text, "a&lt;b &amp; &quot;c&quot; &#39;d&#39; \u{FFFD}")
        let svg = BarChart(labels: ChartLabels(title: "<&>", x: "x", y: "y"), bars: [ChartBar(group: "<g>", series: "s&", value: 0.4, low: 0.3, high: 0.5)]).svg()
        XCTAssertNil(ReportXHTML(svg).error)
        XCTAssertEqual(ReportXHTML(svg).chartMarks, [1])
    }
}
