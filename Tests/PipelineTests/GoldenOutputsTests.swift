import Benchmarks
import Engine
import EngineCore
import Foundation
import Model
import XCTest
@testable import Stages
import TestSupport

/// Kind versions follow the code: the smoke pipeline, built at a fixed thread count, must give the output
/// hashes recorded in `Tests/Golden/smoke-outputs.json` for the kind versions recorded there.
///
/// When Training or Model code changes what a kind produces, its results under the old node keys are stale,
/// and the node key only changes when the kind's version does. So this test fails until someone bumps the
/// version of each kind whose outputs changed (with unchanged inputs) and regenerates the file:
/// `RLHF_UPDATE_GOLDEN=1 swift test --filter GoldenOutputsTests` (or `scripts/update-golden.sh`).
/// Timing fields (`*seconds*`, `*per_second*`, `training time:`) are left out of the hashes; the `report`
/// kind (dates, run ids) is not recorded.
final class GoldenOutputsTests: XCTestCase {
    /// The committed golden file.
    static let goldenPath = Repository.root.appendingPathComponent("Tests/Golden/smoke-outputs.json")
    /// The threads used for model math while building.
    static let threads = 2
    /// The command that regenerates the golden file.
    static let regenerate = "RLHF_UPDATE_GOLDEN=1 swift test --filter GoldenOutputsTests (or scripts/update-golden.sh)"

    /// One node's recorded kind version and output hashes.
    struct NodeRecord: Codable, Equatable {
        /// Kind name.
        var kind: String
        /// Kind version when recorded.
        var version: Int
        /// Stable hash of each output.
        var outputs: [String: String]
    }

    /// The golden file.
    struct Golden: Codable, Equatable {
        /// What regenerates it.
        var regenerate: String
        /// Threads used for model math.
        var threads: Int
        /// The CPU it was recorded on (BLAS kernels differ between CPUs, and so do float results).
        var cpu: String
        /// Every recorded node.
        var nodes: [String: NodeRecord]
    }

    func testSmokeOutputsMatchTheGoldenHashesForTheRecordedKindVersions() throws {
        let harness = try StageHarness()
        let text = try String(contentsOf: Repository.root.appendingPathComponent("experiments/smoke/pipeline.json"), encoding: .utf8)
        let pipelineURL = harness.root.appendingPathComponent("pipeline.json")
        try Data(text.utf8).write(to: pipelineURL)
        let registry = ShippedKinds.registry
        let pipeline = try PipelineLoader(registry: registry).load(path: pipelineURL.path)
        let previousThreads = ModelBenchmark.threadCount
        ModelBenchmark.setThreadCount(Self.threads)
        defer { ModelBenchmark.setThreadCount(previousThreads) }
        let summary = try Executor(workspace: Workspace(root: harness.root), pipeline: pipeline, registry: registry, output: { _ in })
            .build(BuildOptions())
        XCTAssertTrue(summary.succeeded, "\(summary.errors)")

        var nodes: [String: NodeRecord] = [:]
        for name in pipeline.order {
            let node = pipeline.nodes[name]!
            let kind = registry.kind(named: node.kind)!
            guard !kind.readsCatalog else { continue }
            nodes[name] = NodeRecord(kind: kind.name, version: kind.version, outputs: try node.outputs.mapValues {
                try Self.stableHash(harness.root.appendingPathComponent($0))
            })
        }
        let current = Golden(regenerate: Self.regenerate, threads: Self.threads, cpu: Self.cpuName(), nodes: nodes)
        if ProcessInfo.processInfo.environment["RLHF_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenPath.deletingLastPathComponent(), withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try (encoder.encode(current) + Data("\n".utf8)).write(to: Self.goldenPath)
            return
        }
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Self.goldenPath))
        if golden.cpu != current.cpu {
            throw XCTSkip("the golden hashes were recorded on \(golden.cpu), this CPU is \(current.cpu); BLAS kernels and so float "
                          + "results differ between CPUs. To check kind versions here, record locally with \(Self.regenerate) (do not commit it)")
        }
        let problems = Self.compare(golden: golden, current: current, pipeline: pipeline)
        XCTAssertTrue(problems.isEmpty, "\n" + problems.joined(separator: "\n"))
    }

    /// What differs between `golden` and `current`, each with what to do, in pipeline order.
    static func compare(golden: Golden, current: Golden, pipeline: Pipeline) -> [String] {
        var problems: [String] = []
        for name in pipeline.order {
            guard let now = current.nodes[name] else { continue }
            guard let then = golden.nodes[name] else {
                problems.append("node \(name) (kind \(now.kind)) is not in \(goldenPath.lastPathComponent); regenerate it with \(regenerate)")
                continue
            }
            let differing = Set(now.outputs.keys).union(then.outputs.keys).sorted().filter { now.outputs[$0] != then.outputs[$0] }
            // The inputs this node consumed that changed (an upstream output it does not read does not count).
            let upstreamChanged = Set(pipeline.nodes[name]!.inputs.values.filter { input in
                current.nodes[input.node]?.outputs[input.output] != golden.nodes[input.node]?.outputs[input.output]
            }.map(\.node)).sorted()
            if now.version != then.version {
                problems.append("kind \(now.kind) is now version \(now.version) but \(goldenPath.lastPathComponent) records version \(then.version) "
                                + "for node \(name); regenerate the file with \(regenerate) and commit it")
            } else if !differing.isEmpty && upstreamChanged.isEmpty {
                problems.append("node \(name): kind \(now.kind) version \(now.version) now produces different \(differing.joined(separator: ", ")) "
                                + "from the same inputs. Training or Model code changed what this kind makes, so cached results under the old "
                                + "node keys are stale: bump the version of kind '\(now.kind)' to \(now.version + 1), then regenerate "
                                + "\(goldenPath.lastPathComponent) with \(regenerate) and commit both")
            } else if !differing.isEmpty {
                problems.append("node \(name): \(differing.joined(separator: ", ")) changed because its inputs from \(upstreamChanged.joined(separator: ", ")) "
                                + "changed (their node keys change, so no bump is needed for kind '\(now.kind)' by itself); regenerate with \(regenerate)")
            }
        }
        return problems
    }

    /// XXH3-128 of a file or directory with timing fields left out (a directory: its sorted relative paths and file hashes).
    static func stableHash(_ url: URL) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return "missing" }
        guard isDirectory.boolValue else { return ContentHash.of(bytes: try stableBytes(url)).hex }
        let files = (FileManager.default.enumerator(atPath: url.path)?.allObjects as? [String] ?? []).sorted()
        var listing = ""
        for file in files {
            let child = url.appendingPathComponent(file)
            var childIsDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: child.path, isDirectory: &childIsDirectory)
            if !childIsDirectory.boolValue { listing += "\(file)\t\(ContentHash.of(bytes: try stableBytes(child)).hex)\n" }
        }
        return ContentHash.of(text: listing).hex
    }

    /// The file's bytes, with timing keys removed from JSON and JSONL and timing lines from text.
    static func stableBytes(_ url: URL) throws -> [UInt8] {
        let bytes = Array(try Data(contentsOf: url))
        switch url.pathExtension {
        case "json":
            return (try? withoutTimings(JSONValue.parse(bytes, file: url.path)).canonicalBytes) ?? bytes
        case "jsonl":
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            return Array(lines.map { line in
                (try? withoutTimings(JSONValue.parse(Array(line.utf8), file: url.path)).canonical) ?? String(line)
            }.joined(separator: "\n").utf8)
        case "txt", "md":
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            return Array(lines.filter { !$0.contains("training time:") && !$0.contains("train time") }.joined(separator: "\n").utf8)
        default:
            return bytes
        }
    }

    /// `value` without object keys that hold timings.
    static func withoutTimings(_ value: JSONValue) -> JSONValue {
        switch value {
        case let .object(members):
            return .object(members.filter { key, _ in !key.contains("seconds") && !key.contains("per_second") && !key.contains("speedup") }
                .mapValues(withoutTimings))
        case let .array(items):
            return .array(items.map(withoutTimings))
        default:
            return value
        }
    }

    /// The CPU model and the vector extensions BLAS kernels are chosen by.
    static func cpuName() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        func field(_ name: String) -> String {
            info.split(separator: "\n").first { $0.hasPrefix(name) }.map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        }
        let flags = Set(field("flags").split(separator: " ").map(String.init))
        let extensions = ["avx2", "fma", "avx512f"].filter(flags.contains)
        return "\(field("model name")) [\(extensions.joined(separator: ","))]"
    }
}
