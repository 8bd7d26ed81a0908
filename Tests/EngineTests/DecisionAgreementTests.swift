import XCTest
@testable import Engine
@testable import EngineCore

/// Issue 17 §6: `status` and the build decide through the same planner rule and agree on every node.
final class DecisionAgreementTests: XCTestCase {
    /// What the build did with each node, in the plan's vocabulary.
    private func actions(_ summary: BuildSummary) -> [String: String] {
        var result: [String: String] = [:]
        for node in summary.upToDate { result[node] = "up-to-date" }
        for node in summary.reused { result[node] = "reuse" }
        for node in summary.built { result[node] = "run" }
        for node in summary.blocked { result[node] = "blocked by \(summary.blockedBy[node] ?? "?")" }
        return result
    }

    private func decisions(_ plan: Plan) -> [String: String] {
        Dictionary(uniqueKeysWithValues: plan.entries.map { entry in
            if case let .blocked(gate) = entry.decision { return (entry.node, "blocked by \(gate)") }
            return (entry.node, entry.decision.tag)
        })
    }

    private func assertAgreement(status: String, severity: String?, allowed: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: status, severity: severity))
        // The first build settles the gate's verdict (without any override).
        try ws.build { $0.keepGoing = true }
        let plan = try ws.executor().plan(allowFailedGates: allowed)
        let summary = try ws.build { $0.keepGoing = true; $0.allowFailedGates = allowed }
        XCTAssertEqual(decisions(plan), actions(summary), "status before the build and the build agree", file: file, line: line)
        let gateFailedInPlan = Set(plan.entries.filter(\.gateFails).map(\.node))
        XCTAssertEqual(gateFailedInPlan, Set(summary.failed + summary.overridden), file: file, line: line)
        XCTAssertEqual(try ws.executor().plan(allowFailedGates: allowed).toRun, [], "nothing is left to run after the build", file: file, line: line)
    }

    func testFailedGateStatusAgreesWithBuild() throws {
        try assertAgreement(status: "fail", severity: nil, allowed: [])
    }

    func testWarnGateStatusAgreesWithBuild() throws {
        try assertAgreement(status: "fail", severity: "warn", allowed: [])
    }

    func testOverriddenGateStatusAgreesWithBuild() throws {
        try assertAgreement(status: "fail", severity: nil, allowed: ["check"])
    }

    func testBlockingRuleIsOnePureFunction() {
        let node = Node(name: "n", kind: "command", inputs: ["a": OutputRef(node: "a", output: "out"), "g": OutputRef(node: "g", output: "out")],
                        params: [:], outputs: [:], after: [])
        let states: [String: SettledState] = ["a": .fine, "g": .gateFailed]
        XCTAssertEqual(Planner.blockingGate(of: node, allowedGates: [], state: { states[$0] }), "g")
        XCTAssertNil(Planner.blockingGate(of: node, allowedGates: ["g"], state: { states[$0] }))
        XCTAssertEqual(Planner.blockingGate(of: node, allowedGates: [], state: { $0 == "a" ? .blocked(by: "up") : .fine }), "up")
        XCTAssertEqual(Planner.blockingGate(of: node, allowedGates: [], state: { $0 == "a" ? .failed : nil }), "a")
    }

    func testFailedLastRunShowsInStatusAndGateFailureInRuns() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "fail"))
        try ws.build { $0.keepGoing = true }
        let checkRuns = try ws.open().catalog.runs(node: "check")
        XCTAssertEqual(checkRuns.first?.status, "gate-failed")

        let failing = try TestWorkspace()
        try failing.write("pipeline.json", #"{"experiment": "f", "nodes": {"bad": {"kind": "command", "params": {"cmd": "echo first >&2; echo 'the last line' >&2; exit 4"}, "outputs": {"out": "o.txt"}}}}"#)
        try failing.build()
        let plan = try failing.executor().plan()
        let run = try XCTUnwrap(try failing.open().catalog.runs(node: "bad").first)
        XCTAssertEqual(plan["bad"]?.lastFailure?.runId, run.id)
        let row = try XCTUnwrap(PlanRenderer.rows(plan).first)
        XCTAssertEqual(row.state, "failed")
        XCTAssertTrue(row.detail?.hasPrefix("failed (run \(run.id)): ") ?? false, row.detail ?? "")
        XCTAssertTrue(row.detail?.contains("the last line") ?? false, row.detail ?? "")
        XCTAssertFalse(row.detail?.contains("first") ?? true, "only the last error line")
    }
}
