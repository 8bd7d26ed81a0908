import Foundation
import XCTest
@testable import Charts
@testable import Report
@testable import Training

/// The report's newer charts: every series drawn with its artifact's points, axis titles and units, log ticks,
/// aligned panels, trends with Spearman's ρ, side-by-side samples and the rendered base probe.
final class ReportSeriesTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try ReportFixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// PPO lines with diagnostics: iteration i has grad norm 1 + i, explained variance 0.1·i, advantage mean −0.01·i.
    static func diagnosedLines(_ count: Int) -> [PPOIterationMetrics] {
        ReportFixtures.ppoLines(count).map { line in
            var copy = line
            let x = Double(line.iteration)
            copy.diagnostics = PPODiagnostics(learningRate: 1e-5, criticLearningRate: 2e-5, gradNorm: 1 + x,
                                              advantageMean: -0.01 * x, advantageStd: 0.3, advantageMin: -1 - x, advantageMax: 1 + x,
                                              valueMean: 0.2 * x, valueStd: 0.1, returnMean: 0.25 * x, returnStd: 0.2, explainedVariance: 0.1 * x)
            return copy
        }
    }

    /// A final_eval.json with every judged response kept: base, SFT and policy answer three prompts, longer answers
    /// scoring higher for the policy.
    static func finalWithResponses() throws -> String {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ReportFixtures.finalEval.utf8)) as? [String: Any])
        var responses: [String: [[String: Any]]] = [:]
        for (m, model) in ["base", "sft", "policy"].enumerated() {
            responses[model] = (0..<3).map { p in
                let tokens = 4 + 3 * p + m
                return ["prompt": "prompt \(p)", "response": "\(model) answer \(p)", "rm_score": Double(m) + 0.5 * Double(tokens),
                        "gold": Double(p) / 2, "reached_eos": true, "tokens": tokens]
            }
        }
        object["responses"] = responses
        var models = try XCTUnwrap(object["models"] as? [[String: Any]])
        models[2]["kl_to_sft"] = -0.04
        object["models"] = models
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// Writes the fixtures with diagnosed PPO lines and the kept-responses final eval, and renders them.
    private func render(linearLoss: Bool = false) throws -> (ReportDocument, String, ReportXHTML) {
        var sources = try ReportFixtures.writeAll(to: directory)
        for (index, source) in sources.enumerated() {
            if source.role == "ppo_metrics" {
                try Self.diagnosedLines(12).map { String(decoding: try JSONEncoder().encode(PPOMetricsLine($0)), as: UTF8.self) }
                    .joined(separator: "\n").write(to: source.url!, atomically: true, encoding: .utf8)
            }
            if source.role == "final_eval" { try Self.finalWithResponses().write(to: source.url!, atomically: true, encoding: .utf8) }
            if source.role == "base_probe" {
                try "# Base probe\n\nGold in **[0, 1]** on `4` prompts.\n\n| group | n | gold |\n|---|---:|---:|\n| a \\| b | 4 | 0.250 |\n"
                    .write(to: source.url!, atomically: true, encoding: .utf8)
            }
            sources[index] = source
        }
        var document = ReportDocument(experiment: "fixture", generated: Date(timeIntervalSince1970: 0), artifacts: ReportArtifacts(sources: sources))
        document.logLoss = !linearLoss
        let html = document.html()
        return (document, html, ReportXHTML(html))
    }

    private func figure(_ document: ReportDocument, _ title: String) throws -> ChartData {
        try XCTUnwrap(document.figures.charts.first { $0.title == title }, "no figure '\(title)' in \(document.figures.charts.map(\.title))")
    }

    private func points(_ chart: ChartData, _ name: String) throws -> [[Double]] {
        try XCTUnwrap(chart.series.first { $0.name == name }, "no series '\(name)' in \(chart.series.map(\.name))").points
    }

    func testPPODiagnosticChartsDrawEverySeriesWithTheArtifactsPoints() throws {
        let (document, html, parsed) = try render()
        if let keep = ProcessInfo.processInfo.environment["RLHF_REPORT_FIXTURE_DIR"] {
            // The page with every newer chart, for a look in a browser (scripts/screenshot-report.sh DIR/series.html).
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            try html.write(toFile: keep + "/series.html", atomically: true, encoding: .utf8)
        }
        XCTAssertNil(parsed.error)
        let lines = Self.diagnosedLines(12)
        let reward = try figure(document, "Reward: score, KL penalty and total")
        XCTAssertEqual(try points(reward, "score").map { $0[1] }, lines.map(\.rewardMean))
        XCTAssertEqual(try points(reward, "non-score −β·KL").map { $0[1] }, lines.map { -$0.beta * $0.klMean })
        XCTAssertEqual(try points(reward, "total").map { $0[1] }, lines.map { $0.rewardMean - $0.beta * $0.klMean })
        let optimiser = try figure(document, "Learning rate and gradient norm")
        XCTAssertEqual(optimiser.kind, "panels")
        XCTAssertEqual(optimiser.panels, ["learning rate", "grad L2 norm (pre-clip)"])
        XCTAssertEqual(try points(optimiser, "actor").map { $0[1] }, Array(repeating: 1e-5, count: 12))
        XCTAssertEqual(try points(optimiser, "actor grad norm").map { $0[1] }, lines.map { $0.diagnostics!.gradNorm })
        XCTAssertEqual(try points(optimiser, "critic").map { $0[1] }, Array(repeating: 2e-5, count: 12))
        let advantages = try figure(document, "Advantages (before whitening)")
        XCTAssertEqual(Set(advantages.series.map(\.name)), ["mean", "std", "min", "max"])
        XCTAssertEqual(try points(advantages, "max").map { $0[1] }, lines.map { $0.diagnostics!.advantageMax })
        let values = try figure(document, "Critic values and returns")
        XCTAssertEqual(try points(values, "return mean").map { $0[1] }, lines.map { $0.diagnostics!.returnMean! })
        let explained = try figure(document, "Critic explained variance")
        XCTAssertEqual(try points(explained, "explained variance").map { $0[0] }, (0..<12).map(Double.init))
        XCTAssertEqual(explained.y, "explained variance (1 = perfect)")
        let grad = try XCTUnwrap(parsed.row("ppo-summary", "gradient norm (actor"))
        XCTAssertEqual(displayed(grad[2]), 12, accuracy: 1e-9, "last grad norm in the summary table")
        XCTAssertTrue(html.contains("<code>objective/kl</code>"), "the page names TRL's metric names")
        for (index, marks) in parsed.chartMarks.enumerated() { XCTAssertGreaterThan(marks, 0, "chart \(index) has no data points") }
    }

    func testRMAndGoldSitInTwoAlignedPanelsOverOneXAxis() throws {
        let (document, html, _) = try render()
        let scores = try figure(document, "RM score and gold score")
        XCTAssertEqual(scores.kind, "panels")
        XCTAssertNil(scores.yRight, "no second y axis")
        XCTAssertEqual(scores.panels, ["RM score (RM units)", "gold score (0–1)"])
        XCTAssertEqual(try points(scores, "RM score").map { $0[1] }, ReportFixtures.ppoLines(12).map(\.rmScoreMean))
        XCTAssertEqual(try points(scores, "gold score").map { $0[1] }, ReportFixtures.ppoLines(12).map { $0.goldScoreMean! })
        let svg = try XCTUnwrap(html.components(separatedBy: "<svg").first { $0.contains("aria-label=\"RM score and gold score\"") })
        XCTAssertEqual(svg.components(separatedBy: "class=\"panel\"").count - 1, 2, "two panels")
        XCTAssertEqual(svg.components(separatedBy: "class=\"axis x\"").count - 1, 1, "one shared x axis")
        XCTAssertEqual(svg.components(separatedBy: "class=\"axis y\"").count - 1, 2, "one y axis per panel")
    }

    func testLossChartsUseALogScaleWithDecadeTicksAndSayIt() throws {
        let (document, html, _) = try render()
        let rm = try figure(document, "Reward model training loss")
        XCTAssertEqual(rm.scale, "log")
        XCTAssertEqual(rm.y, "Bradley–Terry loss (nats per pair)", "the y label names what is drawn: the loss only")
        XCTAssertEqual(try points(rm, "train loss").map { $0[1] }, [0.69, 0.6, 0.52])
        XCTAssertEqual(try figure(document, "SFT loss per step").scale, "log")
        let svg = try XCTUnwrap(html.components(separatedBy: "<svg").first { $0.contains("aria-label=\"Reward model training loss\"") })
        XCTAssertTrue(svg.contains("<g class=\"axis y log\">"))
        XCTAssertTrue(svg.contains("(log scale)</text>"))
        XCTAssertTrue(svg.contains(">0.1</text>") && svg.contains(">1</text>"), "decade ticks around 0.52–0.69")
        XCTAssertFalse(html.contains("accuracy / margin / loss"), "no label promising curves that are not drawn")
        let (linear, _, _) = try render(linearLoss: true)
        XCTAssertNil(try figure(linear, "Reward model training loss").scale)
    }

    func testLogAxisTicksArePowersOfTenAndPositionsAreLogarithmic() {
        let axis = ChartAxis(logValues: [0.003, 0.02, 40, -1, 0])
        XCTAssertEqual(axis.low, 0.001, accuracy: 1e-12)
        XCTAssertEqual(axis.high, 100, accuracy: 1e-9)
        XCTAssertEqual(axis.ticks.count, 6, "one tick a decade over five decades")
        XCTAssertEqual(axis.fraction(0.1), 0.4, accuracy: 1e-12)
        XCTAssertEqual(axis.label(0.01), "0.01")
        let narrow = ChartAxis(logValues: [0.5, 0.7])
        XCTAssertEqual(narrow.ticks.map { Markup.number($0) }, ["0.100", "0.200", "0.500", "1"])
    }

    func testRewardVersusLengthPlotsEveryResponseInTokensWithTrendAndSpearman() throws {
        let (document, html, _) = try render()
        let scatter = try figure(document, "Reward vs response length")
        XCTAssertEqual(scatter.kind, "scatter")
        XCTAssertEqual(scatter.x, "response length (tokens, EOS included)")
        let final = try JSONDecoder().decode(FinalEvaluation.self, from: Data(try Self.finalWithResponses().utf8))
        for model in ["base", "sft", "policy"] {
            let responses = try XCTUnwrap(final.responses?[model])
            XCTAssertEqual(try points(scatter, model), responses.map { [Double($0.tokens!), ($0.rmScore as Double?)!] }, model)
            XCTAssertEqual(try points(scatter, "\(model) trend").count, 2, "a fitted line per model")
        }
        let trend = try points(scatter, "policy trend")
        XCTAssertEqual((trend[1][1] - trend[0][1]) / (trend[1][0] - trend[0][0]), 0.5, accuracy: 1e-9, "least-squares slope of score on length")
        XCTAssertTrue(html.contains("Spearman ρ(RM score, length) by model: base 1.00; sft 1.00; policy 1.00"), "ρ per model in the caption")
        XCTAssertTrue(html.contains("<polyline class=\"series trend\""))
    }

    func testSamplesShowBaseSFTAndPolicySideBySideWithScores() throws {
        let (_, _, parsed) = try render()
        let table = try XCTUnwrap(parsed.tables["side-by-side"])
        XCTAssertEqual(table.first, ["Prompt", "base", "sft", "policy"])
        let row = try XCTUnwrap(parsed.row("side-by-side", exactly: "prompt 1"))
        XCTAssertTrue(row[1].hasPrefix("base answer 1") && row[1].contains("gold 0.500") && row[1].contains("RM 3.500") && row[1].contains("7 tokens"), row[1])
        XCTAssertTrue(row[3].hasPrefix("policy answer 1") && row[3].contains("RM 6.500"), row[3])
    }

    func testBaseProbeIsRenderedNotShownAsRawMarkdown() throws {
        let (_, html, parsed) = try render()
        XCTAssertNil(parsed.error)
        XCTAssertTrue(html.contains("<h4>Base probe</h4>"))
        XCTAssertTrue(html.contains("<b>[0, 1]</b>") && html.contains("<code>4</code>"))
        XCTAssertTrue(html.contains("<td>a | b</td><td class=\"num\">4</td>"), "pipe table with an escaped pipe and right-aligned numbers")
        XCTAssertFalse(html.contains("# Base probe"))
    }

    func testFinalTableLengthsAreTokensAndANegativeKLIsExplained() throws {
        let (document, html, parsed) = try render()
        XCTAssertTrue(document.markdown().contains("| policy | 0.683 | 1.400 | 9 | -0.040 |"), "summary.md lengths in tokens too")
        let header = try XCTUnwrap(parsed.tables["final-models"]?.first)
        XCTAssertEqual(header[5], "Length (tokens)")
        XCTAssertEqual(displayed(try XCTUnwrap(parsed.row("final-models", exactly: "policy"))[5]), (6.0 + 9 + 12) / 3, accuracy: 1e-3)
        XCTAssertTrue(parsed.ids.contains("negative-kl"))
        XCTAssertTrue(html.contains("below 0 is estimation noise"))
    }

    func testCompareOverlaysRMTrainingAndCalibrationOfSeveralExperiments() throws {
        let own = try ReportFixtures.writeAll(to: directory)
        let first = try ReportFixtures.writeAll(to: directory.appendingPathComponent("a"))
        let second = try ReportFixtures.writeAll(to: directory.appendingPathComponent("b"))
        var document = ReportDocument(experiment: "fixture", generated: Date(timeIntervalSince1970: 0), artifacts: ReportArtifacts(sources: own))
        document.comparison = ("length-bias", ReportArtifacts(sources: first))
        document.moreComparisons = [("style-noise", ReportArtifacts(sources: second))]
        let parsed = ReportXHTML(document.html())
        XCTAssertNil(parsed.error)
        let loss = try figure(document, "Reward model training loss")
        XCTAssertEqual(loss.series.map(\.name), ["fixture: train loss", "length-bias: train loss", "style-noise: train loss"])
        let calibration = try figure(document, "Calibration: predicted vs observed P(chosen)")
        XCTAssertEqual(calibration.series.map(\.name), ["fixture", "length-bias", "style-noise"])
        XCTAssertEqual(calibration.series[2].points.map { $0[0] }, [0.55, 0.7, 0.9])
        XCTAssertTrue(try figure(document, "Policy entropy").series.contains { $0.name == "style-noise: entropy" }, "PPO charts overlay every compared run")
    }
}
