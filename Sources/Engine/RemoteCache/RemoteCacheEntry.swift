import EngineCore
import Foundation
import S3

/// Who built a cached result, where and when: shown when another workspace reuses it.
public struct RemoteCacheProducer: Codable, Sendable, Equatable {
    /// User name on the building machine.
    public var user: String
    /// Host name.
    public var host: String
    /// rlhf version of the building binary.
    public var rlhfVersion: String
    /// CPU model (release builds target the building CPU).
    public var cpu: String
    /// Experiment the run belonged to.
    public var experiment: String
    /// When the run finished (ISO 8601, UTC).
    public var built: String
    /// How long the run took, seconds.
    public var seconds: Double

    /// `root@ci-7 at 2026-12-05T02:40:00Z (rlhf 0.9.0, Intel Xeon, 12.3s, experiment smoke)`.
    public var summary: String {
        "\(user)@\(host) at \(built) (rlhf \(rlhfVersion), \(cpu), " + String(format: "%.1fs", seconds) + ", experiment \(experiment))"
    }

    /// This machine and user, for a run of `experiment` that finished at `finished` after `seconds`.
    static func local(experiment: String, finished: Double, seconds: Double, rlhfVersion: String) -> RemoteCacheProducer {
        let environment = ProcessInfo.processInfo.environment
        let user = environment["USER"] ?? environment["LOGNAME"] ?? getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "unknown"
        let formatter = ISO8601DateFormatter()
        return RemoteCacheProducer(user: user, host: ProcessInfo.processInfo.hostName, rlhfVersion: rlhfVersion, cpu: CPUFeatures.model(),
                                   experiment: experiment, built: formatter.string(from: Date(timeIntervalSince1970: finished)), seconds: seconds)
    }
}

/// The `ac/<node key>` document: what a node with that key produced, enough to reuse it without running it.
/// Written last, with `If-None-Match: *`, after every object it names is in `cas/`.
public struct RemoteCacheEntry: Codable, Sendable, Equatable {
    /// One output: its local hash (XXH3-128, what the store and the keys use) and the SHA-256 that names and verifies its `cas/` object.
    public struct Output: Codable, Sendable, Equatable {
        /// Output name.
        public var name: String
        /// XXH3-128 content hash (hex); a directory's is its Merkle hash.
        public var hash: String
        /// Bytes (a directory: all its files).
        public var size: Int64
        /// Whether it is a directory (its `cas/` object is then a `RemoteDirectoryManifest`).
        public var isDirectory: Bool
        /// SHA-256 (hex) of the `cas/` object: the file's bytes, or the directory manifest's.
        public var sha256: String
    }

    /// Layout version of this document.
    public var format: Int
    /// The node key (hex) the entry is stored under.
    public var key: String
    /// Node name where it was built (informational: other pipelines may name the node differently).
    public var node: String
    /// Kind and version (in the key already; kept for people reading the bucket).
    public var kind: String
    /// Kind implementation version.
    public var kindVersion: Int
    /// Every declared output.
    public var outputs: [Output]
    /// Metric points the run recorded.
    public var metrics: [MetricPoint]
    /// Gate verdicts the run recorded.
    public var verdicts: [GateVerdict]
    /// 0: only successful runs are cached.
    public var exitStatus: Int32
    /// The node program's exit code (command nodes).
    public var exitCode: Int32?
    /// Last stdout line of the node program.
    public var lastStdout: String?
    /// Last stderr line of the node program.
    public var lastStderr: String?
    /// Who built it, where and when.
    public var producer: RemoteCacheProducer

    /// The layout version this binary writes and reads.
    public static let currentFormat = 1

    /// Why this entry cannot serve `node` under `key`, or nil when it can: wrong key or format, outputs that do not
    /// match the declared ones, malformed hashes.
    func problem(key expected: String, node: Node) -> String? {
        guard format == Self.currentFormat else { return "entry format \(format), this rlhf reads \(Self.currentFormat)" }
        guard key == expected else { return "entry is stored under \(expected) but names key \(key)" }
        guard exitStatus == 0 else { return "entry records a failed run" }
        guard Set(outputs.map(\.name)) == Set(node.outputs.keys), outputs.count == node.outputs.count else {
            return "entry has outputs \(outputs.map(\.name).sorted()), the node declares \(node.outputs.keys.sorted())"
        }
        for output in outputs {
            guard ContentHash(hex: output.hash) != nil, S3Checksum.isSHA256(output.sha256), output.size >= 0 else {
                return "entry output '\(output.name)' has a malformed hash, SHA-256 or size"
            }
        }
        return nil
    }
}

/// The `cas/` object of a directory output: every file (by relative path, with its XXH3 and SHA-256) and every
/// directory (so empty ones come back too). The files are `cas/<sha256>` objects of their own.
struct RemoteDirectoryManifest: Codable, Equatable {
    /// One file of the tree.
    struct File: Codable, Equatable {
        /// Path relative to the directory, `/`-separated.
        var path: String
        /// XXH3-128 (hex).
        var hash: String
        /// SHA-256 (hex): the name of its `cas/` object.
        var sha256: String
        /// Bytes.
        var size: Int64
    }

    /// `rlhf-dir-v1`.
    var format: String
    /// Every subdirectory, relative, parents before children.
    var directories: [String]
    /// Every file.
    var files: [File]

    /// The format name this binary writes and reads.
    static let currentFormat = "rlhf-dir-v1"

    /// Whether `path` is a safe relative path: no empty, `.` or `..` component, not absolute, no NUL.
    static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0) else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// Why this manifest cannot be unpacked, or nil when it can.
    var problem: String? {
        guard format == Self.currentFormat else { return "directory manifest format '\(format)'" }
        for path in directories + files.map(\.path) where !Self.isSafe(path) { return "directory manifest names the unsafe path '\(path)'" }
        for file in files where ContentHash(hex: file.hash) == nil || !S3Checksum.isSHA256(file.sha256) || file.size < 0 {
            return "directory manifest entry '\(file.path)' has a malformed hash, SHA-256 or size"
        }
        return nil
    }
}

/// JSON the cache writes: sorted keys, so equal documents are equal bytes.
enum CacheJSON {
    /// Encodes `value` with sorted keys.
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
