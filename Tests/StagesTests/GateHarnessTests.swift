import Engine
import EngineCore
import Foundation
import Logging
@testable import Stages
import XCTest

/// Runs one gate kind on files in a throwaway workspace, as the executor would.
final class GateHarness {
    /// The workspace root.
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    /// Writes `data` at workspace-relative `path`.
    @discardableResult
    func write(_ path: String, data: Data) throws -> String {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return path
    }

    /// Writes `lines` joined by newlines at `path`.
    @discardableResult
    func write(_ path: String, lines: [String]) throws -> String {
        try write(path, data: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// The outcome of one gate run.
    struct Outcome {
        var report: GateReport
        var outcome: GateOutcome
        var verdicts: [GateVerdict]
        var metrics: [MetricPoint]

        /// Findings of `kind`.
        func findings(_ kind: String) -> [GateFinding] { report.findings.filter { $0.kind == kind } }
    }

    /// Runs `kind` with input role → workspace path and `params`.
    func run(_ kind: any StageKind, inputs: [String: String], params: [String: JSONValue] = [:]) throws -> Outcome {
        let outputs = Dictionary(uniqueKeysWithValues: (kind.outputs ?? []).map { ($0, root.appendingPathComponent("out/\($0).json")) })
        let metrics = MetricsSink()
        let context = StageContext(node: "gate", workspace: root, inputs: inputs.mapValues { root.appendingPathComponent($0) },
                                   outputs: outputs, params: params, seed: 1, logger: Logger(label: "test"), metrics: metrics,
                                   progress: ProgressReporter(label: "test", isTerminal: false, write: { _ in }),
                                   scratch: root.appendingPathComponent("scratch"))
        try kind.run(context)
        let decoder = JSONDecoder()
        return Outcome(report: try decoder.decode(GateReport.self, from: Data(contentsOf: outputs["verdict"]!)),
                       outcome: try decoder.decode(GateOutcome.self, from: Data(contentsOf: outputs["outcome"]!)),
                       verdicts: context.verdicts, metrics: metrics.recorded)
    }
}

/// The verdict artifact, the outcome and the recorded verdict agree; common params are checked.
final class GateHarnessTests: XCTestCase {
    func testVerdictArtifactOutcomeAndRecordedVerdictAgree() throws {
        let harness = try GateHarness()
        try harness.write("data/prompts.jsonl", lines: [#"{"prompt": "a"}"#, #"{"prompt": 5}"#])
        let result = try harness.run(SchemaGate(), inputs: ["prompts": "data/prompts.jsonl"], params: ["severity": .string("warn")])
        XCTAssertEqual(result.report.status, .fail)
        XCTAssertEqual(result.report.severity, "warn")
        XCTAssertEqual(result.outcome, GateOutcome(gate: "gate.schema", status: .fail, severity: "warn"))
        XCTAssertEqual(result.verdicts, [GateVerdict(gate: "gate.schema", status: .fail, severity: "warn", message: result.report.message)])
        XCTAssertTrue(result.metrics.contains { $0.name == "gate.schema.bad_lines" && $0.value == 1 })
        XCTAssertEqual(result.report.thresholds["max_bad_fraction"], 0)
    }

    func testThresholdChangeKeepsOutcomeBytes() throws {
        let harness = try GateHarness()
        try harness.write("data/prompts.jsonl", lines: [#"{"prompt": "a short prompt"}"#])
        _ = try harness.run(SchemaGate(), inputs: ["prompts": "data/prompts.jsonl"], params: ["max_chars": .int(100)])
        let first = try Data(contentsOf: harness.root.appendingPathComponent("out/outcome.json"))
        let firstVerdict = try Data(contentsOf: harness.root.appendingPathComponent("out/verdict.json"))
        _ = try harness.run(SchemaGate(), inputs: ["prompts": "data/prompts.jsonl"], params: ["max_chars": .int(200)])
        XCTAssertEqual(try Data(contentsOf: harness.root.appendingPathComponent("out/outcome.json")), first)
        XCTAssertNotEqual(try Data(contentsOf: harness.root.appendingPathComponent("out/verdict.json")), firstVerdict)
    }

    func testBadParamsAndUnknownFormatsAreErrors() throws {
        let harness = try GateHarness()
        try harness.write("data/x.jsonl", lines: [#"{"prompt": "a"}"#])
        XCTAssertThrowsError(try harness.run(SchemaGate(), inputs: ["x": "data/x.jsonl"])) { error in
            guard case let .invalidParam(node, param, message)? = error as? StagesError else { return XCTFail("\(error)") }
            XCTAssertEqual(node, "gate")
            XCTAssertEqual(param, "formats.x")
            XCTAssertTrue(message.contains("does not say its format"), message)
        }
        XCTAssertNoThrow(try harness.run(SchemaGate(), inputs: ["x": "data/x.jsonl"], params: ["formats": .object(["x": .string("prompts")])]))
        XCTAssertThrowsError(try harness.run(SchemaGate(), inputs: ["prompts": "data/x.jsonl"], params: ["severity": .string("fatal")]))
        XCTAssertThrowsError(try harness.run(DedupGate(), inputs: ["prompts": "data/x.jsonl"], params: ["near_threshold": .double(1.5)]))
    }

    func testAllKindsAreListedOnce() {
        let names = GateKinds.all.map(\.name)
        XCTAssertEqual(names, ["gate.schema", "gate.dedup", "gate.eval_leak", "gate.length_bias", "gate.rm_quality", "gate.ppo_guard"])
        XCTAssertTrue(GateKinds.all.allSatisfy { $0.outputs == ["verdict", "outcome"] })
    }
}
