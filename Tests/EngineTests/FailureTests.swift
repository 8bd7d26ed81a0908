import Foundation
import XCTest
@testable import Engine
@testable import EngineCore

/// Failures, interrupts and the workspace lock.
final class FailureTests: XCTestCase {
    /// src → slow (waits while `hold` exists or sleeps when `go-slow` exists) → after.
    static let pipelineJSON = #"""
    {"experiment": "f", "nodes": {
      "src": {"kind": "file", "params": {"path": "in.txt"}},
      "slow": {"kind": "command", "inputs": {"in": "src"},
               "params": {"cmd": "echo slow >> ran.log; printf partial > \"$RLHF_OUT_OUT\"; echo $$ > slow.pid; while [ -f hold ]; do sleep 0.05; done; if [ -f go-slow ]; then sleep 30; fi; if [ -f fail ]; then echo 'boom happened' >&2; exit 3; fi; cat \"$RLHF_IN_IN\" >> \"$RLHF_OUT_OUT\""},
               "outputs": {"out": "out/slow.txt"}},
      "after": {"kind": "command", "inputs": {"in": "slow"},
                "params": {"cmd": "echo after >> ran.log; cp \"$RLHF_IN_IN\" \"$RLHF_OUT_OUT\""}, "outputs": {"out": "out/after.txt"}},
      "other": {"kind": "command", "params": {"cmd": "echo other >> ran.log; echo x > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "out/other.txt"}}
    }}
    """#

    private func makeWorkspace() throws -> TestWorkspace {
        let ws = try TestWorkspace()
        try ws.write("in.txt", "v1\n")
        try ws.write("pipeline.json", Self.pipelineJSON)
        return ws
    }

    private func runs(_ ws: TestWorkspace, node: String) throws -> [RunInfo] {
        try ws.open().catalog.runs(node: node)
    }

    func testFailingCommandRegistersNothingAndKeepsEarlierOutputs() throws {
        let ws = try makeWorkspace()
        try ws.build()
        XCTAssertEqual(ws.read("out/slow.txt"), "partialv1\n")
        let headBefore = try ws.open().catalog.heads(experiment: "f")["slow"]

        try ws.write("in.txt", "v2\n")
        try ws.write("fail", "")
        let summary = try ws.build { $0.keepGoing = true }
        XCTAssertEqual(summary.failed, ["slow"])
        XCTAssertEqual(summary.blocked, ["after"])
        XCTAssertFalse(summary.succeeded)
        XCTAssertTrue(summary.errors["slow"]?.contains("status 3: boom happened") ?? false)
        XCTAssertEqual(ws.read("out/slow.txt"), "partialv1\n", "the earlier output stays intact")
        XCTAssertEqual(try ws.open().catalog.heads(experiment: "f")["slow"], headBefore, "nothing registered as the node's result")
        let failed = try runs(ws, node: "slow").first!
        XCTAssertEqual(failed.status, "failed")
        XCTAssertEqual(failed.outputs, [:])
        let detail = try ws.open().catalog.detail(run: failed.id)
        XCTAssertEqual(detail.run.exitCode, 3)
        XCTAssertEqual(detail.run.lastStderr, "boom happened")

        try FileManager.default.removeItem(atPath: ws.path("fail"))
        ws.clearRanLog()
        let retry = try ws.build()
        XCTAssertEqual(retry.built.sorted(), ["after", "slow"])
        XCTAssertEqual(ws.read("out/after.txt"), "partialv2\n")
    }

    func testMissingDeclaredOutputFailsTheNode() throws {
        let ws = try TestWorkspace()
        try ws.write("pipeline.json", #"{"experiment": "m", "nodes": {"lazy": {"kind": "command", "params": {"cmd": "true"}, "outputs": {"result": "r.txt"}}}}"#)
        let summary = try ws.build()
        XCTAssertEqual(summary.failed, ["lazy"])
        XCTAssertTrue(summary.errors["lazy"]?.contains("declared output 'result' was not created") ?? false)
        XCTAssertNil(try ws.open().catalog.heads(experiment: "m")["lazy"])
    }

    func testWithoutKeepGoingOtherBranchesAreNotStarted() throws {
        let ws = try makeWorkspace()
        try ws.write("fail", "")
        let summary = try ws.build()
        XCTAssertEqual(summary.failed, ["slow"])
        XCTAssertFalse(ws.ranLog().contains("after"))
        XCTAssertFalse(summary.succeeded)
    }

    func testConcurrentBuildIsRefusedWithHolderPid() throws {
        let ws = try makeWorkspace()
        try ws.write("hold", "")
        let finished = expectation(description: "first build finished")
        let firstSummary = LockedBox<BuildSummary?>(nil)
        DispatchQueue.global().async {
            firstSummary.value = try? ws.build()
            finished.fulfill()
        }
        try waitFor { ws.exists("slow.pid") }
        XCTAssertThrowsError(try ws.build()) { error in
            XCTAssertEqual(error as? EngineError, .locked(pid: getpid(), lockPath: ws.path(".rlhf/lock")))
            XCTAssertTrue("\(error)".contains("pid \(getpid())"))
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rlhf").path
        if FileManager.default.isExecutableFile(atPath: binary) {
            let process = Process()
            let errors = Pipe()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["build", "-C", ws.root.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertNotEqual(process.terminationStatus, 0)
            XCTAssertTrue(message.contains("another rlhf build (pid \(getpid()))"), message)
        }
        try FileManager.default.removeItem(atPath: ws.path("hold"))
        wait(for: [finished], timeout: 20)
        XCTAssertEqual(firstSummary.value?.built.count, 4)
    }

    func testStaleLockFromDeadProcessIsTakenOver() throws {
        let ws = try makeWorkspace()
        _ = try ws.open()
        try ws.write(".rlhf/lock", "999999\n")
        let lock = try ws.open().lock()
        XCTAssertEqual(lock.takenOverFrom, 999_999)
        XCTAssertEqual(ws.read(".rlhf/lock"), "\(getpid())\n")
        lock.release()
        XCTAssertEqual(try ws.build().built.count, 4)
    }

    func testSigtermDuringANodeLeavesNoPartialOutput() throws {
        try interruptDuringSlowNode(signal: SIGTERM)
    }

    func testKillNineDuringANodeLeavesNoPartialOutput() throws {
        try interruptDuringSlowNode(signal: SIGKILL)
    }

    /// Runs `rlhf build` as a subprocess, signals it while `slow` is mid-run, then checks the aftermath.
    private func interruptDuringSlowNode(signal: Int32) throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rlhf").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("the rlhf executable is not built next to the tests") }
        let ws = try makeWorkspace()
        try ws.build { $0.targets = ["other"] }
        try ws.write("go-slow", "")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["build", "-C", ws.root.path, "--jobs", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitFor { ws.exists("slow.pid") }
        let temporaryOutput = try FileManager.default.contentsOfDirectory(atPath: ws.path(".rlhf/tmp")).first.map { ws.path(".rlhf/tmp/\($0)/out/out") }
        XCTAssertEqual(temporaryOutput.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }, "partial", "the node is mid-write")
        kill(process.processIdentifier, signal)
        if signal == SIGKILL, let pid = Int32(ws.read("slow.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") {
            // kill -9 leaves the orphaned command running; stop it so it cannot hold the test's pipes open.
            kill(-pid, SIGKILL)
        }
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0)
        XCTAssertFalse(ws.exists("out/slow.txt"), "no partial file at the declared path")
        XCTAssertEqual(try runs(ws, node: "slow"), [], "nothing registered for the interrupted node")
        XCTAssertNil(try ws.open().catalog.heads(experiment: "f")["slow"])

        try FileManager.default.removeItem(atPath: ws.path("go-slow"))
        ws.clearRanLog()
        let summary = try ws.build()
        XCTAssertEqual(summary.built.sorted(), ["after", "slow"], "the next build reruns the interrupted node (and what needs it) only")
        XCTAssertEqual(ws.read("out/slow.txt"), "partialv1\n")
    }

    private func waitFor(timeout: TimeInterval = 20, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { throw XCTSkip("timed out waiting for the node to start") }
            usleep(20_000)
        }
    }
}

/// A value shared with a background thread.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T

    init(_ value: T) {
        stored = value
    }

    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
