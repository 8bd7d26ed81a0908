import Training
import XCTest

/// `Statistics`: the one mean, median and correlation of the project, on hand-computed values and the undefined cases.
final class StatisticsTests: XCTestCase {
    func testMeanAndMedian() {
        XCTAssertEqual(Statistics.mean([1, 2, 6]), 3)
        XCTAssertEqual(Statistics.mean([]), 0)
        XCTAssertTrue(Statistics.mean([], ifEmpty: .nan).isNaN)
        XCTAssertEqual(Statistics.median([3, 1, 2, 10]), 2.5)
        XCTAssertEqual(Statistics.median([7, 1, 3]), 3)
        XCTAssertTrue(Statistics.median([]).isNaN)
        XCTAssertEqual(Statistics.standardDeviation([2, 4, 4, 4, 5, 5, 7, 9]), 2)
    }

    func testRanksAverageTies() {
        XCTAssertEqual(Statistics.ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1])
        XCTAssertEqual(Statistics.ranks([5, 1, 5, 3]), [3.5, 1, 3.5, 2])
    }

    func testCorrelationsOnKnownValues() throws {
        XCTAssertEqual(try XCTUnwrap(Statistics.spearman([1, 2, 3, 4], [10, 20, 30, 40])), 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Statistics.spearman([1, 2, 3, 4], [9, 7, 5, 1])), -1, accuracy: 1e-12)
        // x = 1…4, y = 1, 3, 2, 4: Σdxdy = 4, Σdx² = Σdy² = 5 → 0.8.
        XCTAssertEqual(try XCTUnwrap(Statistics.pearson([1, 2, 3, 4], [1, 3, 2, 4])), 0.8, accuracy: 1e-12)
        // Groups {1: [2, 4]}, {0: [1, 3]}: mean difference 1, population std √1.25, p = q = 0.5 → 0.4472.
        XCTAssertEqual(try XCTUnwrap(Statistics.pointBiserial(group: [true, true, false, false], values: [2, 4, 1, 3])),
                       0.5 / 1.25.squareRoot(), accuracy: 1e-12)
    }

    func testUndefinedCorrelationsAreNil() {
        XCTAssertNil(Statistics.pearson([1, 2, 3], [5, 5, 5]), "a constant side")
        XCTAssertNil(Statistics.pearson([1], [2]), "fewer than two values")
        XCTAssertNil(Statistics.pearson([1, 2, 3], [1, 2]), "different lengths")
        XCTAssertNil(Statistics.spearman([], []))
        XCTAssertNil(Statistics.pearson([1, .nan, 3], [1, 2, 3]), "a value that is not finite")
    }
}
