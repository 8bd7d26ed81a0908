import Foundation
@testable import Training
import XCTest

/// The best-of-n baseline of the over-optimisation curve: its KL formula and its picks.
final class OverOptimisationCurveTests: XCTestCase {
    func testBestOfNKLIsLogNMinusNMinusOneOverN() {
        XCTAssertEqual(BestOfN.kl(n: 1), 0, accuracy: 1e-12)
        XCTAssertEqual(BestOfN.kl(n: 2), log(2) - 0.5, accuracy: 1e-12)
        XCTAssertEqual(BestOfN.kl(n: 16), 2.772588722239781 - 0.9375, accuracy: 1e-12)
        let values = BestOfN.defaultNs.map { BestOfN.kl(n: $0) }
        XCTAssertEqual(values, values.sorted(), "KL grows with n")
    }

    func testPointsPickTheHighestRMOfEachGroupOfN() throws {
        // One prompt, 4 samples; RM prefers the third, which gold scores 0.
        let samples = [(1.0, 0.8), (0.5, 0.6), (3.0, 0.0), (2.0, 1.0)].map {
            JudgedResponse(prompt: "p", response: "r", rmScore: $0.0, gold: $0.1, reachedEOS: true)
        }
        let points = BestOfN.points(samples, perPrompt: 4)
        XCTAssertEqual(points.map(\.n), [1, 2, 4], "n above the samples per prompt is skipped")
        XCTAssertEqual(points[0].rm, 1.625, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(points[0].gold), 0.6, accuracy: 1e-12)
        XCTAssertEqual(points[1].rm, 2, accuracy: 1e-12, "groups {1, 0.5} and {3, 2}: picks 1 and 3")
        XCTAssertEqual(try XCTUnwrap(points[1].gold), 0.4, accuracy: 1e-12)
        XCTAssertEqual(points[2].rm, 3)
        XCTAssertEqual(points[2].gold, 0, "the proxy rises while gold falls")
        XCTAssertEqual(points[2].kl, BestOfN.kl(n: 4))
        XCTAssertEqual(points[2].sqrtKL, BestOfN.kl(n: 4).squareRoot(), accuracy: 1e-12)
    }
}
