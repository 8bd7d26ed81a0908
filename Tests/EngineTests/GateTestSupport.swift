import XCTest
import Foundation
@testable import Engine
@testable import EngineCore

/// A gate kind for tests: records the verdict its params name and writes it as its outcome.
struct TestGateKind: StageKind {
    let name = "testgate"
    let version = 1
    let params = [ParamSpec("status", .string, required: true), ParamSpec("severity", .string), ParamSpec("threshold", .number)]
    let inputs: [InputSpec]? = [InputSpec("data")]
    let outputs: [String]? = ["outcome"]
    let usesRandomness = false

    func run(_ context: StageContext) throws {
        let status = context.params["status"]!.stringValue!
        let severity = context.params["severity"]?.stringValue ?? "error"
        try "\(status)\n".write(to: context.outputs["outcome"]!, atomically: false, encoding: .utf8)
        try "gate\n".write(toFile: context.workspace.path + "/ran.log", atomically: false, encoding: .utf8)
        context.metrics.record("checked", step: 1, value: status == "pass" ? 1 : 0)
        context.record(verdict: GateVerdict(gate: "test", status: GateVerdict.Status(rawValue: status)!, severity: severity, message: "status \(status)"))
    }
}

/// A workspace whose `train` and `eval` sit below the gate `check`, and `side` does not.
func gateWorkspace() throws -> TestWorkspace {
    let ws = try TestWorkspace(registry: StageRegistry.builtIn.adding([TestGateKind()]))
    try ws.write("d.txt", "data")
    return ws
}

/// The pipeline text of `gateWorkspace`, with the gate's params and the role `train` uses for it.
func gatePipeline(status: String, severity: String? = nil, threshold: Double = 0.5, role: String = "check", experiment: String = "g", data: String = "d.txt") -> String {
    let severityParam = severity.map { #", "severity": "\#($0)""# } ?? ""
    let log = #"echo \"$RLHF_NODE\" >> ran.log; "#
    return #"""
    {"experiment": "\#(experiment)", "seed": 1, "nodes": {
      "src": {"kind": "file", "params": {"path": "\#(data)"}},
      "check": {"kind": "testgate", "inputs": {"data": "src"}, "params": {"status": "\#(status)", "threshold": \#(threshold)\#(severityParam)}},
      "train": {"kind": "command", "inputs": {"in": "src", "\#(role)": "check.outcome"},
                "params": {"cmd": "\#(log)cp \"$RLHF_IN_IN\" \"$RLHF_OUT_MODEL\""}, "outputs": {"model": "out/\#(experiment)/model.txt"}},
      "eval": {"kind": "command", "inputs": {"model": "train.model"},
               "params": {"cmd": "\#(log)cp \"$RLHF_IN_MODEL\" \"$RLHF_OUT_SCORE\""}, "outputs": {"score": "out/\#(experiment)/score.txt"}},
      "side": {"kind": "command", "inputs": {"in": "src"},
               "params": {"cmd": "\#(log)cp \"$RLHF_IN_IN\" \"$RLHF_OUT_COPY\""}, "outputs": {"copy": "out/\#(experiment)/side.txt"}}
    }}
    """#
}
