import Foundation
import XCTest
@testable import Engine
@testable import EngineCore

/// The parts of the Ray backend that need no Ray: the submission body, the job list, resources and the dashboard
/// address. `scripts/test-ray.sh` checks the whole path through the Jobs API of a real Ray head.
final class RayBackendTests: XCTestCase {
    private func request(_ resources: [String: JSONValue] = [:]) -> RemoteJobRequest {
        RemoteJobRequest(name: "rlhf-sft", submissionID: "0123abcd-2", runDirectory: "/ws/.rlhf/remote/sft-0123-a2",
                         command: ["/opt/it's/rlhf", "run-node", "/ws/.rlhf/remote/sft-0123-a2/spec.json"], workingDirectory: "/ws", resources: resources)
    }

    func testSubmissionRunsTheWorkerInTheWorkspaceUnderItsSubmissionID() throws {
        let body = try RayBackend.submission(request(["cpus": .int(2), "gpus": .int(1), "memory": .string("8G")]))
        XCTAssertEqual(body["entrypoint"] as? String, #"cd '/ws' && exec '/opt/it'\''s/rlhf' 'run-node' '/ws/.rlhf/remote/sft-0123-a2/spec.json'"#)
        XCTAssertEqual(body["submission_id"] as? String, "0123abcd-2")
        XCTAssertEqual(body["metadata"] as? [String: String], ["name": "rlhf-sft", "run_directory": "/ws/.rlhf/remote/sft-0123-a2"])
        XCTAssertEqual(body["entrypoint_num_cpus"] as? Double, 2)
        XCTAssertEqual(body["entrypoint_num_gpus"] as? Double, 1)
        XCTAssertEqual(body["entrypoint_memory"] as? Int64, 8 << 30)
        XCTAssertNil(try RayBackend.submission(request())["entrypoint_num_cpus"], "no reservation unless asked")
    }

    func testATimeLimitWrapsTheWorkerInTimeout() throws {
        let entrypoint = try XCTUnwrap(try RayBackend.submission(request(["time": .string("01:30:00")]))["entrypoint"] as? String)
        XCTAssertTrue(entrypoint.hasPrefix("cd '/ws' && exec 'env' '-u' 'OMP_NUM_THREADS' 'timeout' '--signal=TERM' '--kill-after=60' '5400' '/opt/it'"),
                      "without reserved CPUs the worker drops Ray's OMP_NUM_THREADS=1: \(entrypoint)")
    }

    func testSlurmTimeFormatsBecomeSeconds() throws {
        let cases: [(JSONValue, Int64)] = [(.int(5), 300), (.string("5"), 300), (.string("02:30"), 150), (.string("01:00:05"), 3605),
                                           (.string("1-2"), 93_600), (.string("1-02:03"), 93_780), (.string("2-00:00:01"), 172_801)]
        for (value, seconds) in cases {
            XCTAssertEqual(try RayBackend.timeLimit(["time": value]), seconds, "\(value)")
        }
        XCTAssertNil(try RayBackend.timeLimit([:]))
        for bad: JSONValue in [.string("soon"), .string("1:2:3:4"), .string("-5"), .int(0), .string("1-2-3"), .string("99999999999999999:00:00")] {
            XCTAssertThrowsError(try RayBackend.timeLimit(["time": bad]), "\(bad)") { error in
                XCTAssertTrue("\(error)".contains("HH:MM:SS"), "\(error)")
            }
        }
    }

    func testMemoryTakesSlurmUnitsAndABareNumberIsMebibytes() throws {
        XCTAssertEqual(try RayBackend.bytes(.string("512M")), 512 << 20)
        XCTAssertEqual(try RayBackend.bytes(.string("2g")), 2 << 30)
        XCTAssertEqual(try RayBackend.bytes(.string("1T")), 1 << 40)
        XCTAssertEqual(try RayBackend.bytes(.int(100)), 100 << 20)
        XCTAssertEqual(try RayBackend.bytes(.string("100")), 100 << 20)
        for bad: JSONValue in [.string("lots"), .string("8X"), .string("0G"), .string("9999999999999T"), .bool(true)] {
            XCTAssertThrowsError(try RayBackend.bytes(bad), "\(bad)") { error in
                XCTAssertTrue("\(error)".contains("resources.memory"), "\(error)")
            }
        }
    }

    func testTheJobListMapsToStatesAndMissingJobsAreUnknown() throws {
        let list = #"""
        [{"submission_id": "k-1", "status": "PENDING", "metadata": {}},
         {"submission_id": "k-2", "status": "RUNNING"},
         {"submission_id": "k-3", "status": "FAILED", "message": "Job entrypoint command failed with exit code -9, last logs:\nsleeping\n"},
         {"submission_id": null, "status": "RUNNING", "job_id": "01000000"},
         {"submission_id": "other", "status": "RUNNING"}]
        """#
        let states = try RayBackend.parse(jobs: Data(list.utf8), ids: ["k-1", "k-2", "k-3", "k-4"])
        XCTAssertEqual(states, ["k-1": .queued, "k-2": .running, "k-3": .ended("FAILED: Job entrypoint command failed with exit code -9, last logs:"), "k-4": .unknown])
        let keyed = #"{"k-1": {"status": "SUCCEEDED"}, "k-2": {"status": "STOPPED", "message": ""}}"#
        XCTAssertEqual(try RayBackend.parse(jobs: Data(keyed.utf8), ids: ["k-1", "k-2"]), ["k-1": .ended("SUCCEEDED"), "k-2": .ended("STOPPED")])
        XCTAssertThrowsError(try RayBackend.parse(jobs: Data("42".utf8), ids: ["k-1"]))
    }

    func testTheDashboardAddressComesFromRaysVariables() throws {
        XCTAssertEqual(RayBackend.defaultAddress(environment: [:]), "http://127.0.0.1:8265")
        XCTAssertEqual(RayBackend.defaultAddress(environment: ["RAY_ADDRESS": "ray://head:10001"]), "http://127.0.0.1:8265", "not the client port")
        XCTAssertEqual(RayBackend.defaultAddress(environment: ["RAY_ADDRESS": "http://head:8265"]), "http://head:8265")
        XCTAssertEqual(RayBackend.defaultAddress(environment: ["RAY_ADDRESS": "http://a:1", "RAY_API_SERVER_ADDRESS": "http://b:2"]), "http://b:2")
        XCTAssertEqual(try RayBackend(address: "head:8265").address.absoluteString, "http://head:8265")
        XCTAssertEqual(try RayBackend(address: "https://head/").address.absoluteString, "https://head")
        XCTAssertThrowsError(try RayBackend(address: "ray://head:10001")) { error in
            XCTAssertTrue("\(error)".contains("--ray-address http://"), "\(error)")
        }
        XCTAssertEqual(try XCTUnwrap(try ExecutorBackends.named("ray", rayAddress: "http://h:1")).name, "ray")
    }

    func testAnUnreachableDashboardIsAClearError() throws {
        // A port that was just free on 127.0.0.1: nothing listens there, so the connection is refused at once.
        let port = freePort()
        let backend = try RayBackend(address: "http://127.0.0.1:\(port)")
        XCTAssertThrowsError(try backend.poll(["k-1"])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("cannot reach the Ray dashboard at http://127.0.0.1:\(port)"), text)
            XCTAssertTrue(text.contains("--ray-address"), text)
        }
        XCTAssertEqual(try backend.poll([]), [:], "nothing to poll asks nothing")
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed).
    private func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
