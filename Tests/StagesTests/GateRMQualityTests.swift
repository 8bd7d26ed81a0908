import Engine
import EngineCore
import Foundation
@testable import Stages
import XCTest

/// `gate.rm_quality`: accuracy and margin thresholds from `rm_eval.json`.
final class GateRMQualityTests: XCTestCase {
    private func run(_ json: String, params: [String: JSONValue] = [:]) throws -> GateHarness.Outcome {
        let harness = try GateHarness()
        try harness.write("reports/rm_eval.json", data: Data(json.utf8))
        return try harness.run(RMQualityGate(), inputs: ["rm_eval": "reports/rm_eval.json"], params: params)
    }

    func testGoodModelPassesAndBoundaryHolds() throws {
        let at = try run(#"{"heldout_accuracy": 0.70, "mean_margin": 0.05, "gold_accuracy": 0.1}"#)
        XCTAssertEqual(at.report.status, .pass, at.report.message)
        XCTAssertEqual(at.report.figures["heldout_accuracy"], 0.70)
        XCTAssertEqual(at.report.thresholds, ["min_accuracy": 0.70, "min_margin": 0.05])
    }

    func testLowAccuracyOrMarginFails() throws {
        let accuracy = try run(#"{"heldout": {"accuracy": 0.69, "mean_margin": 1.0}}"#)
        XCTAssertEqual(accuracy.report.status, .fail)
        XCTAssertTrue(accuracy.report.message.contains("accuracy 0.690"))
        XCTAssertEqual(accuracy.report.findings.first?.file, "reports/rm_eval.json")
        let margin = try run(#"{"heldout_accuracy": 0.9, "mean_margin": 0.04}"#)
        XCTAssertEqual(margin.report.status, .fail)
        let custom = try run(#"{"heldout_accuracy": 0.9, "mean_margin": 0.04}"#, params: ["min_margin": .double(0.04)])
        XCTAssertEqual(custom.report.status, .pass)
    }

    func testMissingFiguresAndBadJSONAreErrors() throws {
        XCTAssertThrowsError(try run(#"{"mean_margin": 0.3}"#)) { error in
            guard case .missingFigure(let file, _, _)? = error as? StagesError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "reports/rm_eval.json")
        }
        XCTAssertThrowsError(try run("{not json"))
    }
}
