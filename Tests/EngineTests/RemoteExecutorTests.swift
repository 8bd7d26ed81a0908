import Foundation
import XCTest
@testable import Engine
@testable import EngineCore

/// The parts of the remote executors that need no scheduler: the worker (`rlhf run-node`), squeue parsing,
/// `"executor"`/`"resources"` in pipelines, the CPU check and the pending-run rows. `scripts/test-slurm.sh`
/// checks the whole path on a real Slurm.
final class RemoteExecutorTests: XCTestCase {
    private func spec(in workspace: TestWorkspace, cmd: String) throws -> (RemoteNodeSpec, String) {
        try workspace.write("in.txt", "hello\n")
        let run = workspace.path(".rlhf/remote/n-1")
        try FileManager.default.createDirectory(atPath: run + "/out", withIntermediateDirectories: true)
        let spec = RemoteNodeSpec(node: "n", kind: "command", kindVersion: CommandKind().version,
                                  params: JSONValue.object(["cmd": .string(cmd)]).canonical, seed: 1, workspace: workspace.root.path,
                                  inputs: ["src": workspace.path("in.txt")], outputs: ["out": run + "/out/out"], scratch: run + "/scratch",
                                  result: run + "/result.json", cpuFlags: CPUFeatures.current())
        let path = run + "/spec.json"
        try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: path))
        return (spec, path)
    }

    func testWorkerRunsTheNodeAndWritesItsResultLast() throws {
        let workspace = try TestWorkspace()
        let (spec, path) = try spec(in: workspace, cmd: "tr a-z A-Z < \"$RLHF_IN_SRC\" > \"$RLHF_OUT_OUT\"; echo '{\"name\":\"m\",\"step\":1,\"value\":2.5}' >> \"$RLHF_METRICS\"; echo done")
        XCTAssertEqual(RemoteWorker.run(specPath: path, registry: .builtIn, redirectOutput: false), 0)
        let result = try XCTUnwrap(RemoteNodeResult.read(spec.result))
        XCTAssertEqual(result.exitStatus, 0)
        XCTAssertNil(result.error)
        XCTAssertEqual(try String(contentsOfFile: spec.outputs["out"]!, encoding: .utf8), "HELLO\n")
        XCTAssertEqual(result.outputs.map(\.name), ["out"])
        XCTAssertEqual(result.outputs[0].hash, try FileHasher().hash(path: spec.outputs["out"]!)?.hex)
        XCTAssertEqual(result.outputs[0].size, 6)
        XCTAssertEqual(result.metrics, [MetricPoint(name: "m", step: 1, value: 2.5)])
        XCTAssertEqual(result.lastStdout, "done")
        XCTAssertFalse(FileManager.default.fileExists(atPath: spec.scratch), "scratch is removed")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileSystem.parent(of: spec.result)).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [], "the result is renamed into place")
    }

    func testWorkerRecordsAFailingProgramWithItsExitCode() throws {
        let workspace = try TestWorkspace()
        let (spec, path) = try spec(in: workspace, cmd: "echo oops >&2; exit 7")
        XCTAssertEqual(RemoteWorker.run(specPath: path, registry: .builtIn, redirectOutput: false), 7)
        let result = try XCTUnwrap(RemoteNodeResult.read(spec.result))
        XCTAssertEqual(result.exitStatus, 7)
        XCTAssertEqual(result.exitCode, 7)
        XCTAssertEqual(result.lastStderr, "oops")
        XCTAssertEqual(result.outputs, [])
        XCTAssertNotNil(result.error)
    }

    func testWorkerRefusesAKindVersionTheDriverDidNotKey() throws {
        let workspace = try TestWorkspace()
        var (spec, path) = try spec(in: workspace, cmd: "true")
        spec.kindVersion += 1
        try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(RemoteWorker.run(specPath: path, registry: .builtIn, redirectOutput: false), 1)
        XCTAssertTrue(try XCTUnwrap(RemoteNodeResult.read(spec.result)?.error).contains("rebuild the worker binary"))
    }

    func testCPUCheckNamesTheMissingFeatures() {
        let info = "processor : 0\nflags\t\t: fpu sse4_2 avx avx2 fma\n"
        XCTAssertEqual(CPUFeatures.current(cpuinfo: info), ["avx", "avx2", "fma", "sse4_2"])
        XCTAssertNil(CPUFeatures.mismatch(required: ["avx2"], available: ["avx", "avx2"]))
        let problem = try? XCTUnwrap(CPUFeatures.mismatch(required: ["avx2", "avx512f"], available: ["avx2"]))
        XCTAssertTrue(problem?.contains("lacks avx512f") ?? false)
        XCTAssertTrue(problem?.contains("RLHF_WORKER_BINARY") ?? false)
    }

    func testSqueueOutputMapsToStatesAndMissingJobsAreUnknown() {
        let states = SlurmBackend.parse(squeue: "12 PENDING\n13 RUNNING\n14 NODE_FAIL\n99 RUNNING\n", ids: ["12", "13", "14", "15"])
        XCTAssertEqual(states, ["12": .queued, "13": .running, "14": .ended("NODE_FAIL"), "15": .unknown])
    }

    func testAJobIsFoundByItsSubmissionComment() {
        let squeue = "7 (null)\n8 0123abcd-1\n9 0123abcd-2\n"
        XCTAssertEqual(SlurmBackend.job(withComment: "0123abcd-2", squeue: squeue), "9")
        XCTAssertNil(SlurmBackend.job(withComment: "0123abcd-3", squeue: squeue))
    }

    func testResourcesBecomeSbatchOptions() {
        let arguments = SlurmBackend.resourceArguments(["cpus": .int(4), "gpus": .int(1), "memory": .string("8G"), "time": .string("01:00:00"), "partition": .string("gpu")])
        XCTAssertEqual(arguments, ["--cpus-per-task=4", "--gres=gpu:1", "--mem=8G", "--time=01:00:00", "--partition=gpu"])
    }

    func testExecutorAndResourcesAreReadButStayOutOfTheKey() throws {
        let workspace = try TestWorkspace()
        let node = #"{"kind": "command", "params": {"cmd": "true"}, "outputs": {"o": "o.txt"}"#
        try workspace.write("pipeline.json", #"{"experiment": "e", "nodes": {"n": "# + node + "}}}")
        let plain = try workspace.pipeline().nodes["n"]!
        try workspace.write("pipeline.json", #"{"experiment": "e", "nodes": {"n": "# + node + #", "executor": "slurm", "resources": {"cpus": 2, "time": "00:10:00"}}}}"#)
        let remote = try workspace.pipeline().nodes["n"]!
        XCTAssertEqual(remote.executor, "slurm")
        XCTAssertEqual(remote.resources["cpus"], .int(2))
        let planner = Planner(pipeline: try workspace.pipeline(), registry: .builtIn)
        XCTAssertEqual(planner.key(node: plain, kind: CommandKind(), inputs: [:]), planner.key(node: remote, kind: CommandKind(), inputs: [:]))
        try workspace.write("pipeline.json", #"{"experiment": "e", "nodes": {"n": "# + node + #", "executor": "cloud", "resources": {"cores": 2}}}}"#)
        XCTAssertThrowsError(try workspace.pipeline()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("nodes.n.executor: must be one of local, slurm, ray"), text)
            XCTAssertTrue(text.contains("nodes.n.resources.cores: unknown resource"), text)
        }
    }

    func testPendingRemoteRunsSurviveReopeningTheCatalog() throws {
        let workspace = try TestWorkspace()
        let pending = PendingRemoteRun(key: "k1", experiment: "e", node: "n", backend: "slurm", attempt: 2, jobId: "42", runDirectory: "/x", submitted: 1)
        try workspace.open().catalog.save(pending: pending)
        let reopened = try workspace.open().catalog
        XCTAssertEqual(try reopened.pendingRemoteRun(key: "k1"), pending)
        try reopened.removePendingRemoteRun(key: "k1")
        XCTAssertEqual(try reopened.pendingRemoteRuns(), [])
    }
}
