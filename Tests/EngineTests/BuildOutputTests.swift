import XCTest
import Foundation
@testable import Engine
@testable import EngineCore

/// A kind that reports progress and records one verdict of the status and severity in its params.
private struct ChattyKind: StageKind {
    let name = "chatty"
    let version = 1
    let params = [ParamSpec("status", .string), ParamSpec("severity", .string)]
    let inputs: [InputSpec]? = [InputSpec("text")]
    let outputs: [String]? = ["out"]

    func run(_ context: StageContext) throws {
        for step in 1...4 { context.progress.update(step: step, total: 4, loss: 0.5, figures: ["kl": 0.25]) }
        context.progress.message("wrote out")
        if let status = context.params["status"]?.stringValue {
            context.record(verdict: GateVerdict(gate: "check", status: GateVerdict.Status(rawValue: status)!,
                                                severity: context.params["severity"]?.stringValue ?? "error", message: "3 findings"))
        }
        try "x".write(to: context.outputs["out"]!, atomically: false, encoding: .utf8)
    }
}

/// What a build writes when its output is a log file rather than a terminal.
final class BuildOutputTests: XCTestCase {
    private func build(status: String? = nil, severity: String? = nil) throws -> [String] {
        let ws = try TestWorkspace(registry: StageRegistry.builtIn.adding([ChattyKind()]))
        try ws.write("t.txt", "hello")
        var params: [String] = []
        if let status { params.append(#""status": "\#(status)""#) }
        if let severity { params.append(#""severity": "\#(severity)""#) }
        try ws.write("pipeline.json", #"""
        {"experiment": "o", "nodes": {
          "text": {"kind": "file", "params": {"path": "t.txt"}},
          "a": {"kind": "chatty", "inputs": {"text": "text"}, "params": {\#(params.joined(separator: ", "))}},
          "b": {"kind": "chatty", "inputs": {"text": "a"}}
        }}
        """#)
        let collected = LineCollector()
        let stream = ConsoleStream(isTerminal: false, write: { collected.append($0) })
        let executor = Executor(workspace: try ws.open(), pipeline: try ws.pipeline(), registry: ws.registry, output: { stream.line($0) }, stream: stream)
        _ = try executor.build(BuildOptions())
        return collected.lines.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func testNodeLinesAndProgressInterleaveInOrderOnOneStream() throws {
        let lines = try build()
        XCTAssertTrue(lines.allSatisfy { !$0.contains("\u{1B}") }, "no terminal escapes in a log: \(lines)")
        func index(_ prefix: String) throws -> Int { try XCTUnwrap(lines.firstIndex { $0.hasPrefix(prefix) }, "\(prefix) in \(lines)") }
        XCTAssertLessThan(try index("run      a"), try index("a: step 1/4"))
        XCTAssertLessThan(try index("a: step 4/4"), try index("a: wrote out"))
        XCTAssertLessThan(try index("a: wrote out"), try index("done     a"))
        XCTAssertLessThan(try index("done     a"), try index("run      b"))
        XCTAssertLessThan(try index("run      b"), try index("b: step 1/4"))
        XCTAssertTrue(lines[try index("a: step 4/4")].contains("loss 0.5000 kl 0.25"))
    }

    func testGateVerdictsReadAsVerdictThenSeverity() throws {
        XCTAssertTrue(try build(status: "pass").contains { $0.hasPrefix("done     a") && $0.hasSuffix("  passed") })
        XCTAssertTrue(try build(status: "warn").contains { $0.hasPrefix("done     a") && $0.hasSuffix("warning, not blocking: 3 findings") })
        XCTAssertTrue(try build(status: "fail", severity: "warn").contains { $0.hasPrefix("done     a") && $0.hasSuffix("FAILED, not blocking: 3 findings") })
        let failed = try build(status: "fail")
        XCTAssertTrue(failed.contains { $0.hasPrefix("done     a") && $0.hasSuffix("FAILED, blocking: 3 findings") }, "\(failed)")
        XCTAssertTrue(failed.contains("blocked  b  (blocked by a)"))
        XCTAssertFalse(failed.joined().contains("(error)"))
    }

    func testETAWaitsForMeasuredSteps() {
        let collected = LineCollector()
        let now = LockedTime()
        let reporter = ProgressReporter(label: "ppo", stream: ConsoleStream(isTerminal: false, write: { collected.append($0) }), clock: { now.value })
        reporter.update(step: 1, total: 10)
        now.value += 30
        reporter.update(step: 2, total: 10)
        now.value += 2
        reporter.update(step: 3, total: 10)
        now.value += 2
        reporter.update(step: 4, total: 10)
        let lines = collected.lines
        XCTAssertFalse(lines[0].contains("eta"), lines[0])
        XCTAssertFalse(lines[1].contains("eta"), lines[1])
        // The rate is measured from the first update (not from process start): 3 steps in 34 s, 6 left = 68 s.
        XCTAssertTrue(lines[3].hasSuffix("eta 1m08s\n"), lines[3])
    }
}

/// A settable clock.
private final class LockedTime: @unchecked Sendable {
    var value = Date(timeIntervalSince1970: 0)
}
