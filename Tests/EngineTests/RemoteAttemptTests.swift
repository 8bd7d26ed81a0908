import Foundation
import XCTest
@testable import Engine
@testable import EngineCore

/// Submission ids and re-attaching, without a real scheduler: the id/attempt rules of `RemoteAttempt`, and the
/// dispatcher driven through a cancelled build, a driver killed with -9 and a job that ended without a result against
/// `MemoryScheduler`, which keeps jobs in memory and, like Ray's Jobs API, refuses a submission id it already knows.
/// `scripts/test-ray.sh` runs the same sequence against a real Ray head.
final class RemoteAttemptTests: XCTestCase {
    // MARK: ids and attempts

    func testAnAttemptsSubmissionIDIsTheKeyAndTheAttempt() {
        XCTAssertEqual(RemoteAttempt.submissionID(key: "0a1b", attempt: 3), "0a1b-3")
        XCTAssertEqual(RemoteAttempt.attempt(of: "0a1b-3", key: "0a1b"), 3)
        XCTAssertEqual(RemoteAttempt.attempt(of: "0a1b-12", key: "0a1b"), 12)
        for other in ["0a1b", "0a1b-", "0a1b-x", "0a1b-0", "0a1b-3-ffee", "0a1bc-3", "ff-3", "0a1b--3", "0a1b-１"] {
            XCTAssertNil(RemoteAttempt.attempt(of: other, key: "0a1b"), other)
        }
    }

    func testANewAttemptComesAfterEveryIDTheSchedulerKnows() {
        XCTAssertEqual(RemoteAttempt.firstUnused(key: "k", from: 1, known: []), 1)
        XCTAssertEqual(RemoteAttempt.firstUnused(key: "k", from: 1, known: ["k-1"]), 2, "a stopped job's id is never taken again")
        XCTAssertEqual(RemoteAttempt.firstUnused(key: "k", from: 1, known: ["k-1", "k-3"]), 4, "after the highest, not into a gap")
        XCTAssertEqual(RemoteAttempt.firstUnused(key: "k", from: 5, known: ["k-1", "k-3"]), 5)
        XCTAssertEqual(RemoteAttempt.firstUnused(key: "k", from: 1, known: ["kk-7", "other-2", "k-2-cafe"]), 1, "other keys' ids do not count")
    }

    func testADriverReattachesOnlyToALiveJobOrOneThatLeftItsResult() {
        func resume(_ jobId: String?, _ state: RemoteJobState?, result: Bool = false) -> RemoteAttempt.Resumption {
            RemoteAttempt.resume(attempt: 2, jobId: jobId, state: state, hasResult: result, submissionID: "k-2")
        }
        XCTAssertEqual(resume("k-2", .queued), .attach(jobId: "k-2"))
        XCTAssertEqual(resume("k-2", .running), .attach(jobId: "k-2"))
        XCTAssertEqual(resume("k-2", .ended("STOPPED")), .resubmit(attempt: 3, failed: true))
        XCTAssertEqual(resume("k-2", .ended("SUCCEEDED")), .resubmit(attempt: 3, failed: true), "succeeded but no result: its outputs are lost")
        XCTAssertEqual(resume("k-2", .unknown), .resubmit(attempt: 3, failed: true))
        XCTAssertEqual(resume("k-2", .ended("SUCCEEDED"), result: true), .attach(jobId: "k-2"), "the result is the authority")
        XCTAssertEqual(resume(nil, nil), .resubmit(attempt: 3, failed: false), "never reached the scheduler: not a failure")
        XCTAssertEqual(resume(nil, nil, result: true), .attach(jobId: "k-2"))
    }

    func testWithoutTheWorkspaceTheRayJobDoesNotChangeDirectory() throws {
        let request = RemoteJobRequest(name: "rlhf-sft", submissionID: "k-1", runDirectory: "/ws/.rlhf/remote/sft-a1",
                                       command: ["/opt/rlhf", "run-node", "s3://b/p/runs/k-1-ab/spec.json"], workingDirectory: nil, resources: ["cpus": .int(1)])
        XCTAssertEqual(try RayBackend.submission(request)["entrypoint"] as? String, "exec '/opt/rlhf' 'run-node' 's3://b/p/runs/k-1-ab/spec.json'")
    }

    func testTheJobListGivesEverySubmissionID() throws {
        let keyed = #"{"k-1": {"status": "STOPPED"}, "x": {"submission_id": "k-2", "status": "RUNNING"}}"#
        let ids = try RayBackend.details(jobs: Data(keyed.utf8)).compactMap { $0["submission_id"] as? String }
        XCTAssertEqual(Set(ids), ["k-1", "k-2"])
    }

    // MARK: the dispatcher against an in-memory scheduler

    private struct Fixture {
        let files: TestWorkspace
        let workspace: Workspace
        let node: Node
        let key = ContentHash(high: 0x0123_4567_89ab_cdef, low: 0x0fed_cba9_8765_4321)

        init() throws {
            files = try TestWorkspace()
            try files.write("pipeline.json", #"{"experiment": "e", "nodes": {"n": {"kind": "command", "params": {"cmd": "true"}, "outputs": {"o": "o.txt"}}}}"#)
            node = try files.pipeline().nodes["n"]!
            workspace = try files.open()
        }

        func job() -> RemoteNodeJob {
            RemoteNodeJob(node: node, kind: CommandKind(), plan: NodePlan(node: "n", decision: .run(.neverBuilt), key: key), reason: .neverBuilt, inputs: [])
        }
    }

    /// A dispatcher whose deliveries and lines the test can wait for.
    private final class Harness: @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
        var results: [NodeRunResult] = []
        let delivered = DispatchSemaphore(value: 0)
        var dispatcher: RemoteDispatcher!

        init(_ fixture: Fixture, scheduler: MemoryScheduler, retries: Int = 1) {
            dispatcher = RemoteDispatcher(backend: scheduler, workspace: fixture.workspace, experiment: "e", seed: 1, interval: 0.02, retries: retries,
                                          output: { [self] line in lock.lock(); lines.append(line); lock.unlock() },
                                          deliver: { [self] result in lock.lock(); results.append(result); lock.unlock(); delivered.signal() })
        }

        func waitForResult() -> NodeRunResult? {
            guard delivered.wait(timeout: .now() + 10) == .success else { return nil }
            lock.lock()
            defer { lock.unlock() }
            return results.last
        }

        func text() -> String {
            lock.lock()
            defer { lock.unlock() }
            return lines.joined(separator: "\n")
        }
    }

    /// Writes what a worker leaves in `runDirectory`: its output `text` (when it succeeded), then its result file.
    private func finishJob(in runDirectory: String, text: String? = nil, exitStatus: Int32 = 0, error: String? = nil) throws {
        var outputs: [RemoteNodeResult.Output] = []
        if let text {
            let output = runDirectory + "/out/o"
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            outputs = [.init(name: "o", hash: try XCTUnwrap(try FileHasher().hash(path: output)).hex, size: Int64(text.utf8.count), isDirectory: false)]
        }
        let result = RemoteNodeResult(exitStatus: exitStatus, error: error, outputs: outputs, metrics: [], verdicts: [], exitCode: exitStatus,
                                      lastStdout: nil, lastStderr: nil, host: "h", started: 1, finished: 2)
        try result.write(to: runDirectory + "/result.json")
    }

    func testACancelledBuildsIDIsNotReusedAndAKilledDriversLiveJobIsReattached() throws {
        let fixture = try Fixture()
        let scheduler = MemoryScheduler()
        let key = fixture.key.hex

        // SIGINT: the job is stopped, nothing stays pending.
        let first = Harness(fixture, scheduler: scheduler)
        first.dispatcher.start(fixture.job())
        scheduler.set(key + "-1", .running)
        first.dispatcher.cancelAll()
        XCTAssertEqual(first.waitForResult()?.interrupted, true)
        XCTAssertEqual(scheduler.state(key + "-1"), .ended("STOPPED"))
        XCTAssertEqual(try fixture.workspace.catalog.pendingRemoteRuns(), [])

        // The next build submits a new attempt under a new id; its driver is then killed (-9: nothing cancels).
        let second = Harness(fixture, scheduler: scheduler)
        second.dispatcher.start(fixture.job())
        second.dispatcher.stop()
        XCTAssertEqual(scheduler.submitted, [key + "-1", key + "-2"])
        XCTAssertEqual(scheduler.refused, [], "no submission under a known id")
        let pending = try XCTUnwrap(try fixture.workspace.catalog.pendingRemoteRun(key: key))
        XCTAssertEqual(pending.attempt, 2)
        XCTAssertEqual(pending.jobId, key + "-2")
        scheduler.set(key + "-2", .running)

        // The rebuild follows the live job and submits nothing.
        let third = Harness(fixture, scheduler: scheduler)
        third.dispatcher.start(fixture.job())
        XCTAssertTrue(third.text().contains("attach   n  (memory job \(key)-2, attempt 2"), third.text())
        try finishJob(in: pending.runDirectory, text: "done\n")
        scheduler.set(key + "-2", .ended("SUCCEEDED"))
        let result = try XCTUnwrap(third.waitForResult())
        third.dispatcher.stop()
        XCTAssertNil(result.error)
        XCTAssertEqual(result.remote?.reattached, true)
        XCTAssertEqual(result.finished.outputs.map(\.name), ["o"])
        XCTAssertEqual(scheduler.submitted.count, 2, "re-attaching submits nothing")
        result.staged.forEach { $0.discard() }
    }

    func testAJobThatEndedWithoutAResultWhileTheDriverWasDeadIsRetriedAsANewAttempt() throws {
        let fixture = try Fixture()
        let scheduler = MemoryScheduler()
        let key = fixture.key.hex
        let killed = Harness(fixture, scheduler: scheduler)
        killed.dispatcher.start(fixture.job())
        killed.dispatcher.stop()
        scheduler.set(key + "-1", .ended("FAILED: node died"))

        let rebuild = Harness(fixture, scheduler: scheduler)
        rebuild.dispatcher.start(fixture.job())
        XCTAssertTrue(rebuild.text().contains("RETRY    n  (memory job \(key)-1 of an earlier build ended without a result (scheduler state FAILED: node died); retry 1 of 1)"),
                      rebuild.text())
        XCTAssertEqual(scheduler.submitted, [key + "-1", key + "-2"])
        XCTAssertEqual(try fixture.workspace.catalog.pendingRemoteRun(key: key)?.attempt, 2)

        // Its new attempt also ends without a result: the one retry is used up, so the node fails.
        scheduler.set(key + "-2", .ended("FAILED: node died again"))
        let result = try XCTUnwrap(rebuild.waitForResult())
        rebuild.dispatcher.stop()
        XCTAssertTrue(result.error?.hasPrefix("infrastructure: memory job \(key)-2 ended without a usable result (scheduler state FAILED: node died again)") ?? false,
                      result.error ?? "no error")
        XCTAssertEqual(scheduler.submitted.count, 2)
        XCTAssertEqual(try fixture.workspace.catalog.pendingRemoteRuns(), [])
    }

    func testAFailingProgramIsRecordedAndNotRetried() throws {
        let fixture = try Fixture()
        let scheduler = MemoryScheduler()
        let harness = Harness(fixture, scheduler: scheduler)
        harness.dispatcher.start(fixture.job())
        let pending = try XCTUnwrap(try fixture.workspace.catalog.pendingRemoteRun(key: fixture.key.hex))
        try finishJob(in: pending.runDirectory, exitStatus: 3, error: "command exited with status 3")
        scheduler.set(fixture.key.hex + "-1", .ended("FAILED"))
        let delivered = try XCTUnwrap(harness.waitForResult())
        harness.dispatcher.stop()
        XCTAssertEqual(delivered.error, "command exited with status 3")
        XCTAssertEqual(delivered.finished.run.exitCode, 3)
        XCTAssertEqual(scheduler.submitted.count, 1, "a failing program is not an infrastructure failure")
    }
}

/// A scheduler that keeps its jobs in memory: a submission id it knows (in any state) is refused, as Ray's Jobs API
/// does; `nextAttempt` lists every id it knows, as `RayBackend` does; a cancel ends a job as `STOPPED`.
final class MemoryScheduler: ExecutorBackend, @unchecked Sendable {
    /// `memory`.
    let name = "memory"
    private let lock = NSLock()
    private var jobs: [String: RemoteJobState] = [:]
    /// Every accepted submission id, in order.
    private(set) var submitted: [String] = []
    /// Every submission id refused because it was known.
    private(set) var refused: [String] = []

    func submit(_ request: RemoteJobRequest) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        guard jobs[request.submissionID] == nil else {
            refused.append(request.submissionID)
            throw EngineError.stageFailed(node: request.name, message: "submission id \(request.submissionID) exists")
        }
        jobs[request.submissionID] = .queued
        submitted.append(request.submissionID)
        return request.submissionID
    }

    func poll(_ ids: [String]) throws -> [String: RemoteJobState] {
        lock.lock()
        defer { lock.unlock() }
        return Dictionary(uniqueKeysWithValues: ids.map { ($0, jobs[$0] ?? .unknown) })
    }

    func cancel(_ ids: [String]) throws {
        lock.lock()
        defer { lock.unlock() }
        for id in ids where jobs[id] == .queued || jobs[id] == .running { jobs[id] = .ended("STOPPED") }
    }

    func find(submissionID: String) throws -> String? {
        lock.lock()
        defer { lock.unlock() }
        return jobs[submissionID] == nil ? nil : submissionID
    }

    func nextAttempt(key: String, from attempt: Int) throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        return RemoteAttempt.firstUnused(key: key, from: attempt, known: jobs.keys)
    }

    /// Sets job `id`'s state (the test plays the cluster).
    func set(_ id: String, _ state: RemoteJobState) {
        lock.lock()
        jobs[id] = state
        lock.unlock()
    }

    /// Job `id`'s state.
    func state(_ id: String) -> RemoteJobState? {
        lock.lock()
        defer { lock.unlock() }
        return jobs[id]
    }
}
