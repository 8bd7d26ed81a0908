import XCTest
import Foundation
@testable import Engine
@testable import EngineCore

final class GateInputRoleTests: XCTestCase {
    func testGateRoleEntersTheKeyAndCutsOffWhenTheOutcomeIsUnchanged() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", gatePipeline(status: "pass", threshold: 0.5, role: "gate_check"))
        XCTAssertEqual(try ws.build().built.count, 5)

        try ws.write("pipeline.json", gatePipeline(status: "pass", threshold: 0.7, role: "gate_check"))
        ws.clearRanLog()
        var summary = try ws.build()
        XCTAssertEqual(summary.built, ["check"], "a threshold change reruns the gate only")
        XCTAssertEqual(summary.upToDate.sorted(), ["eval", "side", "src", "train"])
        XCTAssertEqual(ws.ranLog(), ["gate"])

        try ws.write("pipeline.json", gatePipeline(status: "warn", threshold: 0.7, role: "gate_check"))
        summary = try ws.build()
        XCTAssertEqual(summary.built.sorted(), ["check", "train"], "a changed verdict is a changed input of the guarded node (eval is cut off: same model bytes)")
        let run = try XCTUnwrap(try ws.open().catalog.latestRun(node: "train"))
        XCTAssertEqual(try ws.open().catalog.detail(run: run).inputs.map(\.role), ["gate_check", "in"])
    }

    func testUndeclaredGateRolesAreAcceptedAndOtherRolesRejected() throws {
        let ws = try gateWorkspace()
        try ws.write("pipeline.json", #"""
        {"experiment": "g", "nodes": {
          "src": {"kind": "file", "params": {"path": "d.txt"}},
          "first": {"kind": "testgate", "inputs": {"data": "src"}, "params": {"status": "pass"}},
          "second": {"kind": "testgate", "inputs": {"data": "src", "gate_first": "first.outcome"}, "params": {"status": "pass"}}
        }}
        """#)
        XCTAssertEqual(try ws.pipeline().nodes["second"]?.inputs["gate_first"], OutputRef(node: "first", output: "outcome"))
        XCTAssertEqual(try ws.build().built.sorted(), ["first", "second", "src"])

        try ws.write("pipeline.json", #"""
        {"experiment": "g", "nodes": {
          "src": {"kind": "file", "params": {"path": "d.txt"}},
          "first": {"kind": "testgate", "inputs": {"data": "src"}, "params": {"status": "pass"}},
          "second": {"kind": "testgate", "inputs": {"data": "src", "gate_": "first.outcome", "verdict": "first.outcome"}, "params": {"status": "pass"}}
        }}
        """#)
        XCTAssertThrowsError(try ws.pipeline()) { error in
            guard case let .invalidPipeline(_, issues)? = error as? EngineError else { return XCTFail("\(error)") }
            XCTAssertEqual(issues.map(\.path), ["nodes.second.inputs.gate_", "nodes.second.inputs.verdict"])
            XCTAssertTrue(issues[1].message.contains("has no input 'verdict'"))
        }
    }
}
