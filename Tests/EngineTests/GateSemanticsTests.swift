import XCTest
import Foundation
@testable import Engine
@testable import EngineCore

final class GateSemanticsTests: XCTestCase {
    func testWarnSeverityFailureNeverBlocks() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "fail", severity: "warn"))
        let summary = try ws.build()
        XCTAssertTrue(summary.succeeded)
        XCTAssertEqual(summary.built.sorted(), ["check", "eval", "side", "src", "train"])
        XCTAssertEqual(summary.failed, [])
        XCTAssertEqual(summary.warned, ["check"])
        let plan = try ws.executor().plan()
        XCTAssertEqual(plan.blocked, [:])
        XCTAssertEqual(plan["eval"]?.decision, .upToDate)
        XCTAssertEqual(try ws.open().catalog.runs(node: "check").first.map { try ws.open().catalog.detail(run: $0.id).gates.map(\.status) }, [.fail])
    }

    func testErrorGateBlocksEverythingBelowAndStatusSaysBlockedBy() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "fail"))
        let summary = try ws.build { $0.keepGoing = true }
        XCTAssertFalse(summary.succeeded)
        XCTAssertEqual(summary.failed, ["check"])
        XCTAssertEqual(summary.blocked.sorted(), ["eval", "train"])
        XCTAssertEqual(summary.blockedBy, ["eval": "check", "train": "check"])
        XCTAssertTrue(summary.built.contains("side"))
        XCTAssertFalse(ws.exists("out/g/model.txt"))

        let plan = try ws.executor().plan()
        XCTAssertEqual(plan["train"]?.decision, .blocked(by: "check"))
        XCTAssertEqual(plan["eval"]?.decision, .blocked(by: "check"))
        XCTAssertEqual(plan["side"]?.decision, .upToDate)
        let rows = PlanRenderer.rows(plan)
        XCTAssertEqual(rows.first { $0.node == "eval" }?.detail, "blocked by check")
        XCTAssertEqual(rows.first { $0.node == "eval" }?.state, "blocked")
        XCTAssertEqual(PlanRenderer.line(plan["train"]!), "  blocked     train  (blocked by check)")

        let dry = try ws.build { $0.dryRun = true }
        XCTAssertEqual(dry.blocked.sorted(), ["eval", "train"])
        XCTAssertEqual(dry.failed, ["check"])
        XCTAssertFalse(dry.succeeded)
    }
}
