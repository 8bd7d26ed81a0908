import Foundation
import XCTest
@testable import Engine
@testable import EngineCore

/// Issue 17 §1 and §4: nothing is written outside the workspace, bad paths are errors, never crashes.
final class ConfinementTests: XCTestCase {
    private func outsideDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-outside-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func issues(_ json: String) -> [ValidationIssue] {
        do {
            _ = try PipelineLoader(registry: .builtIn).parse(bytes: Array(json.utf8), file: "p.json")
            return []
        } catch let EngineError.invalidPipeline(_, issues) {
            return issues
        } catch {
            XCTFail("unexpected \(error)")
            return []
        }
    }

    func testOutputThroughSymlinkedDirectoryIsRefusedAndOutsideFileUntouched() throws {
        let outside = try outsideDirectory()
        try "precious\n".write(toFile: outside + "/victim.txt", atomically: false, encoding: .utf8)
        let ws = try TestWorkspace()
        try FileManager.default.createSymbolicLink(atPath: ws.path("linkdir"), withDestinationPath: outside)
        try ws.write("pipeline.json", #"{"experiment": "c", "nodes": {"w": {"kind": "command", "params": {"cmd": "echo evil > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "linkdir/victim.txt"}}}}"#)
        XCTAssertThrowsError(try ws.build()) { error in
            XCTAssertTrue("\(error)".contains("outside the workspace"), "\(error)")
            XCTAssertTrue("\(error)".contains("nodes.w.outputs.out"), "\(error)")
        }
        XCTAssertThrowsError(try ws.executor().plan(), "status refuses it too")
        XCTAssertEqual(try String(contentsOfFile: outside + "/victim.txt", encoding: .utf8), "precious\n")
    }

    func testSymlinkOutputsAreRefusedAndOutsideModesKept() throws {
        let outside = try outsideDirectory()
        try "secret\n".write(toFile: outside + "/file.txt", atomically: false, encoding: .utf8)
        chmod(outside + "/file.txt", 0o600)
        let ws = try TestWorkspace()
        try ws.write("pipeline.json", #"""
        {"experiment": "c", "nodes": {
          "link": {"kind": "command", "params": {"cmd": "ln -s \"$TARGET/file.txt\" \"$RLHF_OUT_OUT\""}, "outputs": {"out": "out/link.txt"}},
          "dir": {"kind": "command", "params": {"cmd": "mkdir \"$RLHF_OUT_OUT\" && echo a > \"$RLHF_OUT_OUT/a\" && ln -s \"$TARGET\" \"$RLHF_OUT_OUT/escape\""}, "outputs": {"out": "out/dir"}}
        }}
        """#.replacingOccurrences(of: "$TARGET", with: outside))
        let summary = try ws.build { $0.keepGoing = true }
        XCTAssertEqual(summary.failed.sorted(), ["dir", "link"])
        XCTAssertTrue(summary.errors["link"]?.contains("is a symlink") ?? false, "\(summary.errors)")
        XCTAssertTrue(summary.errors["dir"]?.contains("holds escape") ?? false, "\(summary.errors)")
        var info = stat()
        XCTAssertEqual(stat(outside + "/file.txt", &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600, "the outside file's mode is unchanged")
        XCTAssertTrue(try ws.open().store.allObjects().isEmpty, "no symlink was stored")
    }

    func testControlCharactersAndNulInPathsAreRejected() {
        let found = issues(#"{"experiment": "c", "nodes": {"# + #"""
            "a": {"kind": "command", "params": {"cmd": "true"}, "outputs": {"out": "out/a.txt"}},
            "b": {"kind": "command", "params": {"cmd": "true"}, "outputs": {"out": "out/a.txt\u0000.x"}},
            "c": {"kind": "command", "params": {"cmd": "true"}, "outputs": {"out": "out/tab\there"}},
            "f": {"kind": "file", "params": {"path": "data\u0000x"}}
        }}
        """#)
        XCTAssertEqual(Set(found.map(\.path)), ["nodes.b.outputs.out", "nodes.c.outputs.out", "nodes.f.params.path"], "\(found)")
        XCTAssertTrue(found.allSatisfy { $0.message.contains("control character") })
    }

    func testNulPathHashesToAnErrorNotARecursion() throws {
        let ws = try TestWorkspace()
        try ws.write("dir/x.txt", "x")
        XCTAssertThrowsError(try FileHasher().hash(path: ws.path("dir") + "\u{0}x"))
    }

    func testDotInputsAreErrors() {
        for reference in [".", "..", "a.", ".b", "a..b"] {
            let found = issues(#"{"experiment": "c", "nodes": {"a": {"kind": "command", "params": {"cmd": "true"}, "outputs": {"out": "o.txt"}}, "# +
                               #""b": {"kind": "command", "inputs": {"x": "\#(reference)"}, "params": {"cmd": "true"}, "outputs": {"out": "p.txt"}}}}"#)
            XCTAssertEqual(found.map(\.path), ["nodes.b.inputs.x"], "input \(reference)")
        }
    }

    func testLongChainSortsWithoutRecursion() throws {
        let count = 120_000
        var nodes: [String: Node] = [:]
        nodes.reserveCapacity(count)
        for index in 0..<count {
            nodes["n\(index)"] = Node(name: "n\(index)", kind: "command", inputs: [:], params: [:], outputs: [:], after: index > 0 ? ["n\(index - 1)"] : [])
        }
        var validator = PipelineValidator(registry: .builtIn)
        let order = try XCTUnwrap(validator.topologicalOrder(nodes))
        XCTAssertEqual(order.count, count)
        XCTAssertEqual(order.first, "n0")
        XCTAssertEqual(order.last, "n\(count - 1)")
        XCTAssertEqual(validator.issues, [])
    }

    func testOutputOverPipelineFileOrInsideAnotherOutputIsRefused() throws {
        let ws = try TestWorkspace()
        try ws.write("pipeline.json", #"{"experiment": "c", "nodes": {"p": {"kind": "command", "params": {"cmd": "echo {} > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "pipeline.json"}}}}"#)
        XCTAssertThrowsError(try ws.build()) { XCTAssertTrue("\($0)".contains("pipeline file"), "\($0)") }
        XCTAssertTrue(ws.read("pipeline.json")?.contains("\"p\"") ?? false)

        try FileManager.default.createDirectory(atPath: ws.path("real"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: ws.path("alias"), withDestinationPath: ws.path("real"))
        try ws.write("pipeline.json", #"""
        {"experiment": "c", "nodes": {
          "d": {"kind": "command", "params": {"cmd": "mkdir \"$RLHF_OUT_OUT\""}, "outputs": {"out": "real/d"}},
          "e": {"kind": "command", "params": {"cmd": "true"}, "outputs": {"out": "alias/d/inner.txt"}}
        }}
        """#)
        XCTAssertThrowsError(try ws.build()) { XCTAssertTrue("\($0)".contains("resolves inside"), "\($0)") }
        XCTAssertEqual(issues(#"{"experiment": "c", "nodes": {"d": {"kind": "command", "params": {"cmd": "true"}, "outputs": {"out": "x/d"}}, "# +
                              #""e": {"kind": "command", "params": {"cmd": "true"}, "outputs": {"out": "x/d/inner.txt"}}}}"#).map(\.path), ["nodes.e.outputs.out"])
    }

    func testLeftoverTempFilesAndChildGroupsAreCleanedByTheNextBuild() throws {
        let ws = try TestWorkspace()
        try ws.write("pipeline.json", #"{"experiment": "c", "nodes": {"a": {"kind": "command", "params": {"cmd": "echo a > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "out/a.txt"}}}}"#)
        try ws.build()
        try ws.write("out/.rlhf-tmp-999-a.txt", "half")
        try ws.write("out/.rlhf-old-999-d/x", "old")
        // A run directory of a killed build, with its child's group still running.
        let sleeper = try ChildProcess.spawn(arguments: ["/bin/sleep", "60"], environment: [:], directory: ws.root.path, stdout: "/dev/null", stderr: "/dev/null")
        try FileManager.default.createDirectory(atPath: ws.path(".rlhf/tmp/a-dead"), withIntermediateDirectories: true)
        sleeper.record(at: ws.path(".rlhf/tmp/a-dead/" + ChildProcess.recordName))
        let lines = LineCollector()
        let executor = Executor(workspace: try ws.open(), pipeline: try ws.pipeline(), registry: ws.registry, output: lines.append)
        var options = BuildOptions()
        options.force = ["a"]
        _ = try executor.build(options)
        XCTAssertEqual(sleeper.wait(), 128 + SIGKILL, "the leftover child was killed")
        XCTAssertTrue(lines.lines.contains { $0.contains("killed process group \(sleeper.pid)") }, "\(lines.lines)")
        let left = try FileManager.default.contentsOfDirectory(atPath: ws.path("out"))
        XCTAssertEqual(left, ["a.txt"], "no .rlhf-tmp-* or .rlhf-old-* left, also after a forced rebuild with unchanged output")
    }
}
