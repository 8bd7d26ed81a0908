import Foundation
import XCTest
@testable import Charts
@testable import Report
@testable import Stages
@testable import Training
import TestSupport

/// The HTML report: well formed, charts with data, numbers equal to the artifacts', missing artifacts said.
final class ReportDocumentTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try ReportFixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func render(_ sources: [ReportSource], compare: [ReportSource]? = nil) -> (String, ReportXHTML) {
        var document = ReportDocument(experiment: "fixture", generated: Date(timeIntervalSince1970: 0), artifacts: ReportArtifacts(sources: sources))
        if let compare { document.comparison = ("length-bias", ReportArtifacts(sources: compare)) }
        let html = document.html()
        return (html, ReportXHTML(html))
    }

    func testFullReportIsWellFormedAndEveryChartHasData() throws {
        let (html, parsed) = render(try ReportFixtures.writeAll(to: directory))
        if let keep = ProcessInfo.processInfo.environment["RLHF_REPORT_FIXTURE_DIR"] {
            // scripts/screenshot-report.sh --fixture also shoots this artifact-only rendering.
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            try html.write(toFile: keep + "/artifacts.html", atomically: true, encoding: .utf8)
        }
        XCTAssertNil(parsed.error, "report is not well-formed XHTML: \(String(describing: parsed.error))")
        // SFT loss, RM calibration, reward-vs-length, 5 PPO charts, overall/family/scenario bars, win rates.
        XCTAssertGreaterThanOrEqual(parsed.chartMarks.count, 12)
        for (index, marks) in parsed.chartMarks.enumerated() { XCTAssertGreaterThan(marks, 0, "chart \(index) has no data points") }
        XCTAssertTrue(parsed.links.isSubset(of: parsed.ids), "dangling links: \(parsed.links.subtracting(parsed.ids))")
    }

    func testFiguresCarryEveryChartWithTheArtifactsPoints() throws {
        let document = ReportDocument(experiment: "fixture", generated: Date(timeIntervalSince1970: 0),
                                      artifacts: ReportArtifacts(sources: try ReportFixtures.writeAll(to: directory)))
        let parsed = ReportXHTML(document.html())
        let figures = document.figures.charts
        XCTAssertEqual(figures.count, parsed.chartMarks.count, "one figure per chart drawn")
        XCTAssertTrue(figures.allSatisfy { !$0.series.isEmpty || !$0.bars.isEmpty })
        let ppo = try XCTUnwrap(figures.first { $0.kind == "line" && $0.x == "PPO iteration" && $0.series.contains { $0.points.count == 12 } }, "\(figures.map(\.title))")
        XCTAssertEqual(ppo.kind, "line")
        let decoded = try JSONDecoder().decode([ChartData].self, from: try JSONEncoder().encode(figures))
        XCTAssertEqual(decoded, figures)
    }

    func testPPONumbersEqualTheArtifact() throws {
        let lines = ReportFixtures.ppoLines(12)
        let (_, parsed) = render(try ReportFixtures.writeAll(to: directory))
        let rm = try XCTUnwrap(parsed.row("ppo-summary", "RM score"))
        XCTAssertEqual(displayed(rm[1]), lines.first!.rmScoreMean, accuracy: 5e-4)
        XCTAssertEqual(displayed(rm[2]), lines.last!.rmScoreMean, accuracy: 5e-4)
        XCTAssertEqual(displayed(rm[4]), lines.map(\.rmScoreMean).max()!, accuracy: 5e-4)
        XCTAssertEqual(displayed(rm[5]), lines.map(\.rmScoreMean).reduce(0, +) / 12, accuracy: 5e-4)
        let kl = try XCTUnwrap(parsed.row("ppo-summary", "KL to reference"))
        XCTAssertEqual(displayed(kl[2]), lines.last!.klMean, accuracy: 5e-4)
        let length = try XCTUnwrap(parsed.row("ppo-summary", "response length max"))
        XCTAssertEqual(displayed(length[4]), Double(lines.map(\.responseLengthMax).max()!), accuracy: 5e-4)
    }

    func testFinalEvaluationNumbersEqualTheArtifact() throws {
        let final = try JSONDecoder().decode(FinalEvaluation.self, from: Data(ReportFixtures.finalEval.utf8))
        let (_, parsed) = render(try ReportFixtures.writeAll(to: directory))
        for model in final.models {
            let row = try XCTUnwrap(parsed.row("final-models", model.model))
            XCTAssertEqual(displayed(row[1]), try XCTUnwrap(model.goldMean), accuracy: 5e-4, model.model)
            XCTAssertEqual(displayed(row[3]), try XCTUnwrap(model.rmMean), accuracy: 5e-4, model.model)
            XCTAssertEqual(displayed(row[7]), model.klToSFT, accuracy: 5e-4, model.model)
        }
        let rates = try XCTUnwrap(parsed.tables["win-rates"]).dropFirst()
        // policy–sft by gold appears in both A/B orders in the artifact, and once on the page (policy as A).
        let once = final.winRates.filter { !($0.a == "sft" && $0.b == "policy" && $0.judge == "gold") }
        XCTAssertEqual(rates.count, once.count)
        XCTAssertEqual(WinRate.onePerComparison(final.winRates).map(\.a), once.map(\.a))
        for (row, rate) in zip(rates, once) {
            XCTAssertEqual(row[0...2].joined(separator: " "), "\(rate.a) \(rate.b) \(rate.judge)")
            XCTAssertEqual(displayed(row[3]), rate.winRate, accuracy: 5e-4)
            XCTAssertEqual(row[4], "[\(Markup.number(rate.ciLow)), \(Markup.number(rate.ciHigh))]")
            XCTAssertEqual(displayed(row[5]), Double(rate.wins))
        }
    }

    func testHeadlineNamesTheDecodingAndTheGreedyScores() throws {
        let (html, _) = render(try ReportFixtures.writeAll(to: directory))
        XCTAssertTrue(html.contains("+0.133 absolute, sampled at T=1; greedy 0.645 vs 0.610"), "sampled gain, decoding and greedy figures in the headline")
    }

    func testGateFiguresAndOverrideAreShown() throws {
        let (html, _) = render(try ReportFixtures.writeAll(to: directory))
        XCTAssertTrue(html.contains("OVERRIDDEN"), "a failed error gate the report ran past must say it was overridden")
        XCTAssertTrue(html.contains("experiments/x/data/pref_train.jsonl:17"), "offending examples list file and line")
        XCTAssertTrue(html.contains("<td class=\"num\">0.910</td>"), "chosen_longer_fraction 0.91 appears as measured")
        XCTAssertEqual(html.components(separatedBy: "OVERRIDDEN").count - 1, 1, "only the failed gate is marked")
        // The measured figure sits on the row of its limit, with the result.
        XCTAssertTrue(html.contains("<td>chosen_longer_fraction</td><td class=\"num\">0.910</td><td>≤ 0.700</td><td><span class=\"state s-fail\">fail</span></td>"),
                      "figure, value, limit and result on one row")
    }

    func testGateFiguresPairWithTheirLimits() throws {
        let json = #"{"gate": "g", "status": "fail", "severity": "error", "message": "m", "figures": {"accuracy": 0.8, "spearman": -0.5, "extra": 2},"#
            + #""thresholds": {"min_accuracy": 0.7, "max_abs_spearman": 0.3, "ngram": 8, "max_missing": 1}, "finding_count": 0, "findings": []}"#
        let report = try JSONDecoder().decode(GateReport.self, from: Data(json.utf8))
        XCTAssertEqual(ReportDocument.pairedFigures(report), [
            GateFigureRow(figure: "spearman", value: -0.5, limit: "|x| ≤ 0.300", passed: false),
            GateFigureRow(figure: "max_missing", value: nil, limit: "≤ 1", passed: nil),
            GateFigureRow(figure: "accuracy", value: 0.8, limit: "≥ 0.700", passed: true),
            GateFigureRow(figure: "ngram", value: nil, limit: "= 8", passed: nil),
            GateFigureRow(figure: "extra", value: 2, limit: "–", passed: nil),
        ])
    }

    func testNeverBuiltArtifactsRenderNotBuiltSections() throws {
        let sources = ["sft_eval", "rm_eval", "ppo_metrics", "final_eval", "base_probe"].map {
            ReportSource(role: $0, node: $0, url: nil, displayPath: "experiments/x/reports/\($0)", hash: nil)
        }
        let (html, parsed) = render(sources)
        XCTAssertNil(parsed.error)
        XCTAssertEqual(parsed.chartMarks.count, 0)
        for node in ["sft_eval", "rm_eval", "ppo_metrics", "final_eval", "base_probe"] {
            XCTAssertTrue(html.contains("not built: node \(node) has no"), "missing 'not built' for \(node)")
        }
    }

    func testMalformedArtifactNamesTheLineAndField() throws {
        let url = directory.appendingPathComponent("ppo_train_metrics.jsonl")
        var text = try ReportFixtures.jsonl(ReportFixtures.ppoLines(3))
        text += "{\"iteration\": 3, \"rm_score_mean\": 1}\n"
        try text.write(to: url, atomically: true, encoding: .utf8)
        let (html, parsed) = render([ReportSource(role: "ppo_metrics", node: "ppo", url: url, displayPath: "ppo_train_metrics.jsonl", hash: nil)])
        XCTAssertNil(parsed.error)
        XCTAssertTrue(html.contains("ppo_train_metrics.jsonl:4: missing field"), "the bad line is named")
    }

    func testComparisonOverlaysDashedSeries() throws {
        let own = try ReportFixtures.writeAll(to: directory)
        let otherDirectory = directory.appendingPathComponent("other")
        let other = try ReportFixtures.writeAll(to: otherDirectory, ppoCount: 20)
        let (html, parsed) = render(own, compare: other)
        XCTAssertNil(parsed.error)
        XCTAssertTrue(html.contains("length-bias: RM score"))
        XCTAssertTrue(html.contains("stroke-dasharray=\"6 4\""))
        let rm = try XCTUnwrap(parsed.row("ppo-summary", "RM score"))
        XCTAssertEqual(displayed(rm[6]), ReportFixtures.ppoLines(20).last!.rmScoreMean, accuracy: 5e-4)
    }

    func testRewardModelFiguresAndCalibrationComeFromTheArtifact() throws {
        let (html, parsed) = render(try ReportFixtures.writeAll(to: directory))
        XCTAssertTrue(html.contains("<span>Held-out accuracy</span><b>0.810</b>"))
        XCTAssertTrue(html.contains("<span>Held-out mean margin</span><b>0.742</b>"))
        XCTAssertTrue(html.contains("<span>Gold agreement (fresh pairs)</span><b>0.780</b>"))
        XCTAssertTrue(html.contains("Calibration: predicted vs observed P(chosen)"))
        XCTAssertTrue(html.contains("Gold score by family: SFT vs baseline"))
        XCTAssertNil(parsed.error)
    }

    func testMarkdownSummaryCarriesTheKeyNumbers() throws {
        let document = ReportDocument(experiment: "fixture", generated: Date(), artifacts: ReportArtifacts(sources: try ReportFixtures.writeAll(to: directory)))
        let markdown = document.markdown()
        XCTAssertTrue(markdown.contains("| policy | 0.683 | 1.400 | 13.500 | 2.370 |"))
        XCTAssertTrue(markdown.contains("| policy | sft | gold | 0.640 | [0.550, 0.730] |"))
        XCTAssertTrue(markdown.contains("**length_bias**: fail **OVERRIDDEN**") || markdown.contains("**gate_length_bias**: fail **OVERRIDDEN**"))
    }
}
