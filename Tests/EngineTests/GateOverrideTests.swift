import XCTest
import Foundation
@testable import Engine
@testable import EngineCore

final class GateOverrideTests: XCTestCase {
    func testOverrideBuildsBelowRecordsLineageAndNextBuildBlocksAgain() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "fail"))
        XCTAssertEqual(try ws.build { $0.keepGoing = true }.blocked.sorted(), ["eval", "train"])
        let gateRun = try XCTUnwrap(try ws.open().catalog.latestRun(node: "check"))
        let blockedKeys = try ws.executor().plan()

        let dry = try ws.build { $0.dryRun = true; $0.allowFailedGates = ["check"] }
        XCTAssertEqual(dry.overridden, ["check"])
        XCTAssertEqual(dry.blocked, [])

        var summary = try ws.build { $0.allowFailedGates = ["check"] }
        XCTAssertTrue(summary.succeeded, "\(summary)")
        XCTAssertEqual(summary.overridden, ["check"])
        XCTAssertEqual(summary.built.sorted(), ["eval", "train"])
        XCTAssertEqual(ws.read("out/g/score.txt"), "data")

        let catalog = try ws.open().catalog
        let trainRun = try XCTUnwrap(try catalog.latestRun(node: "train"))
        let evalRun = try XCTUnwrap(try catalog.latestRun(node: "eval"))
        XCTAssertEqual(try catalog.detail(run: trainRun).overrides.map(\.gateNode), ["check"])
        XCTAssertEqual(try catalog.detail(run: evalRun).overrides, [GateOverride(gateNode: "check", gateRun: gateRun, message: "gate test FAILED, blocking: status fail")])
        let trace = Lineage.render(try catalog.traceUp(run: evalRun))
        XCTAssertTrue(trace.contains { $0.contains("! built past failed gate check (run \(gateRun)") }, trace.joined(separator: "\n"))
        let json = String(decoding: try JSONEncoder().encode(try catalog.detail(run: evalRun)), as: UTF8.self)
        XCTAssertTrue(json.contains(#""gateNode":"check""#))

        summary = try ws.build()
        XCTAssertFalse(summary.succeeded)
        XCTAssertEqual(summary.failed, ["check"])
        XCTAssertEqual(summary.blocked.sorted(), ["eval", "train"], "without the flag nothing below a failed error gate is up to date")
        let plan = try ws.executor().plan()
        XCTAssertEqual(plan["eval"]?.decision, .blocked(by: "check"))
        XCTAssertEqual(plan["check"]?.key, blockedKeys["check"]?.key)

        ws.clearRanLog()
        summary = try ws.build { $0.allowFailedGates = ["check"] }
        XCTAssertEqual(summary.upToDate.sorted(), ["check", "eval", "side", "src", "train"], "the override does not change keys")
        XCTAssertEqual(ws.ranLog(), [])
    }

    func testUnknownOverrideNodeIsRefused() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "fail"))
        XCTAssertThrowsError(try ws.build { $0.allowFailedGates = ["nope"] }) { error in
            XCTAssertTrue("\(error)".contains("--allow-failed-gates"))
        }
    }
}
