import EngineCore
import Foundation
import S3
import XCTest
@testable import Engine

/// The cache's documents and settings without a server: `ac/` entries and directory manifests round-trip and are
/// refused when they cannot serve a node; settings come from flags, then the environment, then `remote-cache.json`.
/// Downloads, corruption and push order are checked against a real S3 server by scripts/test-s3.sh.
final class RemoteCacheEntryTests: XCTestCase {
    private func entry() -> RemoteCacheEntry {
        RemoteCacheEntry(format: 1, key: String(repeating: "a", count: 32), node: "sft", kind: "sft", kindVersion: 3,
                         outputs: [.init(name: "model", hash: String(repeating: "b", count: 32), size: 1234, isDirectory: true, sha256: String(repeating: "c", count: 64))],
                         metrics: [MetricPoint(name: "loss", step: 2, value: 0.5)],
                         verdicts: [GateVerdict(gate: "leak", status: .pass, severity: "block", message: "")],
                         exitStatus: 0, exitCode: nil, lastStdout: "done", lastStderr: nil,
                         producer: RemoteCacheProducer(user: "ci", host: "runner-1", rlhfVersion: "0.9.0", cpu: "Xeon", experiment: "default",
                                                       built: "2026-12-05T02:00:00Z", seconds: 12.5))
    }

    private func node(outputs: [String: String]) throws -> Node {
        let json = "{\"experiment\": \"e\", \"nodes\": {\"sft\": {\"kind\": \"command\", \"params\": {\"cmd\": \"true\"}, \"outputs\": "
            + "{" + outputs.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ") + "}}}}"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-entry-\(UUID().uuidString).json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try PipelineLoader(registry: StageRegistry([CommandKind()])).load(path: file.path).nodes["sft"]!
    }

    func testEntryRoundTripsWithSortedKeys() throws {
        let data = try CacheJSON.encode(entry())
        XCTAssertEqual(try JSONDecoder().decode(RemoteCacheEntry.self, from: data), entry())
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{\"exitCode\"") || text.hasPrefix("{\"exitStatus\""), text)
        XCTAssertTrue(text.contains("\"producer\":{\"built\":\"2026-12-05T02:00:00Z\",\"cpu\":\"Xeon\""), text)
        XCTAssertEqual(try CacheJSON.encode(entry()), data)
        XCTAssertEqual(entry().producer.summary, "ci@runner-1 at 2026-12-05T02:00:00Z (rlhf 0.9.0, Xeon, 12.5s, experiment default)")
    }

    func testEntryThatCannotServeTheNodeIsAMiss() throws {
        let sft = try node(outputs: ["model": "out/model"])
        let key = String(repeating: "a", count: 32)
        XCTAssertNil(entry().problem(key: key, node: sft))
        XCTAssertNotNil(entry().problem(key: String(repeating: "d", count: 32), node: sft))
        XCTAssertNotNil(entry().problem(key: key, node: try node(outputs: ["model": "out/model", "log": "out/log"])))
        var bad = entry()
        bad.outputs[0].sha256 = "../../etc/passwd"
        XCTAssertNotNil(bad.problem(key: key, node: sft))
        bad = entry()
        bad.format = 2
        XCTAssertNotNil(bad.problem(key: key, node: sft))
        bad = entry()
        bad.exitStatus = 1
        XCTAssertNotNil(bad.problem(key: key, node: sft))
    }

    func testManifestRefusesUnsafePaths() {
        let file = RemoteDirectoryManifest.File(path: "sub/model.safetensors", hash: String(repeating: "1", count: 32), sha256: String(repeating: "2", count: 64), size: 5)
        let good = RemoteDirectoryManifest(format: "rlhf-dir-v1", directories: ["sub", "empty"], files: [file])
        XCTAssertNil(good.problem)
        for path in ["../x", "/etc/passwd", "a//b", "a/./b", "", "a/..", "a\u{0}b"] {
            var bad = good
            bad.files[0].path = path
            XCTAssertNotNil(bad.problem, path)
        }
        var wrong = good
        wrong.format = "rlhf-dir-v2"
        XCTAssertNotNil(wrong.problem)
    }

    func testSettingsComeFromFlagsThenEnvironmentThenTheWorkspaceFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-cachesettings-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let base = ["HOME": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"]
        func resolve(_ url: String?, _ mode: String?, _ extra: [String: String] = [:]) throws -> RemoteCacheSettings? {
            try RemoteCacheSettings.resolve(url: url, mode: mode, workspaceRoot: root, rlhfVersion: "t", environment: base.merging(extra) { $1 })
        }
        XCTAssertNil(try resolve(nil, nil))
        XCTAssertThrowsError(try resolve(nil, "read")) { XCTAssertTrue("\($0)".contains("--remote-cache-url"), "\($0)") }
        XCTAssertEqual(try resolve("s3://flag/p", nil)?.mode, .read)
        XCTAssertNil(try resolve("s3://flag/p", "off"))

        try "{\"url\": \"s3://team/cache\", \"mode\": \"read\"}".write(toFile: root + "/remote-cache.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(try resolve(nil, nil)?.location.description, "s3://team/cache")
        XCTAssertEqual(try resolve(nil, "readwrite")?.mode, .readwrite)
        XCTAssertEqual(try resolve(nil, nil, ["RLHF_REMOTE_CACHE_URL": "s3://env/x", "RLHF_REMOTE_CACHE": "readwrite"])?.location.description, "s3://env/x")
        XCTAssertEqual(try resolve("s3://flag/p", nil, ["RLHF_REMOTE_CACHE_URL": "s3://env/x"])?.location.description, "s3://flag/p")
        XCTAssertEqual(try resolve(nil, nil)?.configuration.endpoint, "http://127.0.0.1:9")
        XCTAssertThrowsError(try resolve(nil, "sometimes"))

        try "{\"url\": \"s3://team/cache\", \"ttl\": 3}".write(toFile: root + "/remote-cache.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try resolve(nil, nil)) { XCTAssertTrue("\($0)".contains("unknown key 'ttl'"), "\($0)") }
        try "[1]".write(toFile: root + "/remote-cache.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try resolve(nil, nil)) { XCTAssertTrue("\($0)".contains("remote-cache.json"), "\($0)") }
    }
}
