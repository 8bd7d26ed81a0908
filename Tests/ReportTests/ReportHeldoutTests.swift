import Foundation
import World
import XCTest
@testable import Report
@testable import Training
import TestSupport

/// The report reads a PPO metrics file with held-out lines: the iteration charts and table are as without them, and
/// the held-out lines get their own table.
final class ReportHeldoutTests: XCTestCase {
    func testHeldOutLinesGetTheirOwnTableAndLeaveTheIterationsAlone() throws {
        let directory = try ReportFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let iterations = ReportFixtures.ppoLines(6)
        let heldout = [0, 3, 6].map { i in
            PPOHeldoutMetrics(iteration: i, promptCount: 40, rmScoreMean: 0.2 * Double(i), goldScoreMean: 0.6 - 0.02 * Double(i), klMean: Double(i),
                              responseLengthMean: 12, eosFraction: 1, seconds: 3,
                              slices: ["family:add": PPOSliceScores(rmScoreMean: 0, goldScoreMean: 0.7 - 0.05 * Double(i), goldScoreStd: 0.2, count: 10)])
        }
        let url = directory.appendingPathComponent("ppo_train_metrics.jsonl")
        try JSONLWriter.write(PPOMetricsFileLine.ordered(history: iterations, heldout: heldout), to: url)
        var document = ReportDocument(experiment: "fixture", generated: Date(timeIntervalSince1970: 0),
                                      artifacts: ReportArtifacts(sources: [ReportSource(role: "ppo_metrics", node: "ppo", url: url,
                                                                                        displayPath: "ppo_train_metrics.jsonl", hash: nil)]))
        document.comparison = nil
        let html = document.html()
        let parsed = ReportXHTML(html)
        XCTAssertNil(parsed.error)
        XCTAssertEqual(document.artifacts.ppoMetrics.value?.count, 6, "held-out lines are not iterations")
        let rm = try XCTUnwrap(parsed.row("ppo-summary", "RM score"))
        XCTAssertEqual(displayed(rm[2]), iterations.last!.rmScoreMean, accuracy: 5e-4)
        let last = try XCTUnwrap(parsed.row("ppo-heldout", "6"))
        XCTAssertEqual(displayed(last[2]), 1.2, accuracy: 5e-4, "RM score")
        XCTAssertEqual(displayed(last[3]), 0.48, accuracy: 5e-4, "gold score")
        XCTAssertEqual(displayed(last[7]), 0.4, accuracy: 5e-4, "gold family:add")
        XCTAssertEqual(parsed.tables["ppo-heldout"]?.count, 4, "the header and three evaluations")
    }
}
