import Foundation
import XCTest
@testable import Engine
@testable import EngineCore

/// A `command` node's key holds its `cmd`, not the bytes of a script the command runs: the build warns.
final class StaleScriptWarningTests: XCTestCase {
    func testWarnsAboutAScriptThatIsNotAnInputAndNotAboutDeclaredOnes() throws {
        let workspace = try TestWorkspace()
        try workspace.write("tools/train.sh", "echo hi\n")
        try workspace.write("tools/declared.py", "print(1)\n")
        try workspace.write("pipeline.json", """
        {"experiment": "e", "nodes": {
          "script": {"kind": "file", "params": {"path": "tools/declared.py"}},
          "stale": {"kind": "command", "params": {"cmd": "bash tools/train.sh --out \\"$RLHF_OUT_O\\" && cp missing.txt x"}, "outputs": {"o": "o.txt"}},
          "fine": {"kind": "command", "inputs": {"script": "script"}, "params": {"cmd": "python3 ./tools/declared.py > \\"$RLHF_OUT_O\\""}, "outputs": {"o": "p.txt"}}
        }}
        """)
        let warnings = try workspace.executor().staleScriptWarnings(nodes: ["script", "stale", "fine"])
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertTrue(warnings[0].contains("node stale: cmd runs or reads tools/train.sh"), warnings[0])
        XCTAssertTrue(warnings[0].contains("file node"), warnings[0])
    }
}
