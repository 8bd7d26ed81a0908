import XCTest
@testable import Engine
@testable import EngineCore

/// A kind that reads the catalog: it writes one line per upstream node (`name action run N`).
private struct LedgerKind: StageKind {
    let name = "ledger"
    let version = 1
    let params: [ParamSpec] = []
    let inputs: [InputSpec]? = nil
    let outputs: [String]? = ["out"]
    let readsCatalog = true

    func run(_ context: StageContext) throws {
        let view = try XCTUnwrap(context.catalog)
        let lines = view.runs.values.sorted { $0.node < $1.node }.map { "\($0.node) \($0.action.rawValue) run \($0.runId)" }
        try (lines.joined(separator: "\n") + "\n").write(to: context.outputs["out"]!, atomically: false, encoding: .utf8)
    }
}

/// `readsCatalog` kinds: what they see, and that the view's facts are part of their staleness.
final class CatalogViewTests: XCTestCase {
    /// src → upper → ledger, upper → count; `side` is not upstream of the ledger.
    private func workspace() throws -> TestWorkspace {
        let ws = try TestWorkspace(registry: StageRegistry.builtIn.adding([LedgerKind()]))
        try ws.write("a.txt", "hello\n")
        try ws.write("pipeline.json", #"""
        {"experiment": "v", "seed": 1, "nodes": {
          "src": {"kind": "file", "params": {"path": "a.txt"}},
          "upper": {"kind": "command", "inputs": {"text": "src"}, "params": {"cmd": "echo upper >> ran.log; tr a-z A-Z < \"$RLHF_IN_TEXT\" > \"$RLHF_OUT_OUT\""},
                    "outputs": {"out": "out/upper.txt"}},
          "count": {"kind": "command", "inputs": {"text": "upper"}, "params": {"cmd": "echo count >> ran.log; wc -c < \"$RLHF_IN_TEXT\" > \"$RLHF_OUT_OUT\""},
                    "outputs": {"out": "out/count.txt"}},
          "side": {"kind": "command", "params": {"cmd": "echo side > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "out/side.txt"}},
          "ledger": {"kind": "ledger", "inputs": {"text": "upper"}, "outputs": {"out": "out/ledger.txt"}}
        }}
        """#)
        return ws
    }

    /// The ledger's lines without their run ids.
    private func ledger(_ ws: TestWorkspace) -> [String] {
        (ws.read("out/ledger.txt") ?? "").split(separator: "\n").map { $0.split(separator: " ").dropLast(2).joined(separator: " ") }
    }

    func testViewShowsUpstreamRunsAndUnchangedBuildIsANoOp() throws {
        let ws = try workspace()
        let first = try ws.build()
        XCTAssertTrue(first.succeeded, "\(first.errors)")
        XCTAssertEqual(ledger(ws), ["src built", "upper built"], "only upstream nodes, with this build's action")
        let runs = try ws.open().catalog.heads(experiment: "v")
        XCTAssertTrue(ws.read("out/ledger.txt")!.contains("upper built run \(runs["upper"]!.runId)"))

        let second = try ws.build()
        XCTAssertEqual(second.built, [])
        XCTAssertEqual(second.reused, [])
        XCTAssertTrue(try ws.executor().plan().toRun.isEmpty, "status agrees: nothing to do")
    }

    func testNewUpstreamRunWithSameBytesRerunsOnlyTheReader() throws {
        let ws = try workspace()
        XCTAssertTrue(try ws.build().succeeded)
        try FileManager.default.removeItem(atPath: ws.path("out/upper.txt"))
        let plan = try ws.executor().plan()
        XCTAssertEqual(plan["upper"]?.decision.tag, "reuse")
        XCTAssertEqual(plan["count"]?.decision, .upToDate, "same bytes")
        XCTAssertEqual(plan["ledger"]?.decision, .run(.inputChanged(role: Planner.catalogRole, upstream: "upper")), "a new (reused) run of upper")
        let restored = try ws.build()
        XCTAssertEqual(restored.reused, ["upper"])
        XCTAssertEqual(restored.built, ["ledger"])
        XCTAssertEqual(ledger(ws), ["src up to date", "upper reused"])

        let forced = try ws.build { $0.force = ["upper"] }
        XCTAssertEqual(forced.built.sorted(), ["ledger", "upper"], "count keys on bytes (early cutoff); the ledger shows the new run")
        XCTAssertEqual(ledger(ws), ["src up to date", "upper built"])
        XCTAssertEqual(try ws.build().built, [])
    }

    func testChangedPipelineDefinitionRerunsTheReader() throws {
        let ws = try workspace()
        XCTAssertTrue(try ws.build().succeeded)
        let text = try XCTUnwrap(ws.read("pipeline.json")).replacingOccurrences(of: "echo side", with: "echo other")
        try ws.write("pipeline.json", text)
        let rebuilt = try ws.build()
        XCTAssertEqual(rebuilt.built.sorted(), ["ledger", "side"], "the pipeline hash the view shows changed")
    }
}
