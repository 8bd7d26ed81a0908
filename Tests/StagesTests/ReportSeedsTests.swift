import Foundation
import XCTest
@testable import Charts
@testable import Report
@testable import Stages
@testable import Training

/// The report's "Across seeds" section: the aggregate's means, intervals and per-seed values, the compared experiment's means.
final class ReportSeedsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try ReportFixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// An aggregate source with `gold_gain` per seed and one family figure.
    private func aggregate(_ name: String, gains: [String: Double]) throws -> ReportSource {
        let aggregate = SeedAggregate(seeds: gains.keys.sorted { $0.compare($1, options: .numeric) == .orderedAscending },
                                      figures: [SeedFigure(name: "gold_gain", perSeed: gains),
                                                SeedFigure(name: "gold_gain.family:repeat", perSeed: gains.mapValues { -$0 }),
                                                SeedFigure(name: "win_rate_vs_sft.gold", perSeed: gains.mapValues { 0.5 + $0 })])
        let url = directory.appendingPathComponent("\(name).json")
        try JSONEncoder().encode(aggregate).write(to: url)
        return ReportSource(role: ExperimentSources.seedAggregateRole, node: "evaluate_aggregate", url: url, displayPath: "\(name).json", hash: nil)
    }

    func testSectionShowsMeanIntervalPerSeedValuesAndTheComparedMeans() throws {
        let sources = try ReportFixtures.writeAll(to: directory) + [try aggregate("mine", gains: ["seed_11": 0.08, "seed_22": 0.12, "seed_4": 0.10])]
        var document = ReportDocument(experiment: "fixture", generated: Date(timeIntervalSince1970: 0), artifacts: ReportArtifacts(sources: sources))
        document.comparison = ("other", ReportArtifacts(sources: [try aggregate("other", gains: ["seed_1": 0.01, "seed_2": 0.03])]))
        let html = document.html()
        let parsed = ReportXHTML(html)
        XCTAssertNil(parsed.error, "\(String(describing: parsed.error))")
        XCTAssertEqual(parsed.row("seed-aggregate", exactly: "Figure"), ["Figure", "Mean", "95% CI", "Spread", "seed 4", "seed 11", "seed 22", "other (mean)", "Δ mean"],
                       "seeds in numeric order")
        // mean 0.1, s = 0.02, t(2) = 4.303: half-width 4.303 · 0.02 / √3 = 0.0497
        let gain = try XCTUnwrap(parsed.row("seed-aggregate", exactly: "gold_gain"))
        XCTAssertEqual(Array(gain[..<3]) + Array(gain[4...]), ["gold_gain", "0.100", "[0.050, 0.150]", "0.100", "0.080", "0.120", "0.020", "+0.080"])
        XCTAssertTrue(gain[3].contains("seed 22: 0.120"), "the strip's dots name their seeds: \(gain[3])")
        XCTAssertEqual(parsed.tables["seed-aggregate"]?.dropFirst().map(\.[0]), ["gold_gain", "win_rate_vs_sft.gold", "gold_gain.family:repeat"],
                       "headline figures first, families after")
        XCTAssertTrue(html.contains("Mean gold gain over SFT +0.100, 95% CI [0.050, 0.150] across 3 seeds: the gain survives a new seed."))
        XCTAssertTrue(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"spread\""), "a strip per figure")
        let chart = try XCTUnwrap(document.figures.charts.first { $0.title.hasPrefix("Gold gain over SFT across seeds") })
        XCTAssertEqual(chart.bars.count, 2 * (3 + 1 + 1), "overall and repeat: three seeds, the mean and the compared mean")
        let summary = document.markdown()
        XCTAssertTrue(summary.contains("| gold_gain | 0.100 | [0.050, 0.150] | 0.100 | 0.080 | 0.120 |"), summary)

        let plain = ReportDocument(experiment: "fixture", generated: Date(timeIntervalSince1970: 0), artifacts: ReportArtifacts(sources: try ReportFixtures.writeAll(to: directory)))
        XCTAssertFalse(plain.html().contains("id=\"seeds\""), "no section for an experiment that is not replicated")
        XCTAssertFalse(plain.markdown().contains("Across seeds"))
    }

    func testVerdictSaysWhenTheIntervalIncludesZero() {
        XCTAssertTrue(ReportDocument.seedVerdict(SeedFigure(name: "gold_gain", perSeed: ["1": 0.1, "2": -0.05])).hasSuffix("the interval includes 0, so the seeds do not show a gain."))
        XCTAssertTrue(ReportDocument.seedVerdict(SeedFigure(name: "gold_gain", perSeed: ["1": -0.1, "2": -0.12, "3": -0.11])).hasSuffix("the policy is worse than SFT."))
    }
}
