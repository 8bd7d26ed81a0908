import EngineCore
import Foundation

/// What `rlhf run-node SPEC` needs to run one node on a worker: the node, absolute input and output
/// paths (on the shared file system), and where to write the result. Written by the driver.
public struct RemoteNodeSpec: Codable, Sendable, Equatable {
    /// Node name.
    public var node: String
    /// Kind name and the implementation version the driver keyed the node with.
    public var kind: String
    /// Kind version; a worker binary with another version refuses to run.
    public var kindVersion: Int
    /// The node's params as canonical JSON (an object).
    public var params: String
    /// The pipeline seed.
    public var seed: UInt64
    /// Absolute workspace root (commands run there).
    public var workspace: String
    /// Input role → absolute path of the materialised upstream artifact.
    public var inputs: [String: String]
    /// Output name → absolute path the stage must create (inside the run directory).
    public var outputs: [String: String]
    /// Private scratch directory.
    public var scratch: String
    /// Where the result file is written, last, by rename.
    public var result: String
    /// CPU features the driver's binary may use (`/proc/cpuinfo` flags of the machine that built it).
    public var cpuFlags: [String]
    /// For a worker without the driver's file system: the inputs to pull from the content cache (the spec itself is then
    /// read from the cache, see `RemoteCache+Worker.swift`); nil with a shared file system.
    public var cache: CacheTransfer? = nil

    /// The params, parsed; `path` names the spec file in an error.
    func parsedParams(path: String) throws -> [String: JSONValue] {
        guard let object = try JSONValue.parse(Array(params.utf8), file: path + " (params)").objectValue else {
            throw EngineError.stageFailed(node: node, message: "\(path): params is not a JSON object")
        }
        return object
    }

    /// Reads a spec from `path`, naming the file in any error.
    public static func read(_ path: String) throws -> RemoteNodeSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError.notFound(what: "node spec \(path)", hint: "the driver writes it into the run directory before submitting; is the file system shared with the worker?")
        }
        do {
            return try JSONDecoder().decode(RemoteNodeSpec.self, from: data)
        } catch {
            throw EngineError.stageFailed(node: "?", message: "\(path) is not a node spec: \(error)")
        }
    }
}

/// What a worker hands back in `result.json`: the driver treats this file as the authority on how the job ended.
public struct RemoteNodeResult: Codable, Sendable, Equatable {
    /// One produced output.
    public struct Output: Codable, Sendable, Equatable {
        /// Output name.
        public var name: String
        /// XXH3-128 content hash (hex).
        public var hash: String
        /// Size in bytes (a directory: every file).
        public var size: Int64
        /// Whether it is a directory.
        public var isDirectory: Bool
        /// SHA-256 of its `cas/` object when the worker pushed it to the content cache (no shared file system).
        public var sha256: String? = nil
    }

    /// 0 on success; the node program's exit code, or 1 when the stage threw.
    public var exitStatus: Int32
    /// The failure message, nil on success.
    public var error: String?
    /// Produced outputs (empty on failure).
    public var outputs: [Output]
    /// Metric points the stage recorded.
    public var metrics: [MetricPoint]
    /// Gate verdicts the stage recorded.
    public var verdicts: [GateVerdict]
    /// The node program's exit code (command nodes).
    public var exitCode: Int32?
    /// Last stdout line.
    public var lastStdout: String?
    /// Last stderr line.
    public var lastStderr: String?
    /// Worker host name.
    public var host: String
    /// When the stage started and finished (seconds since 1970).
    public var started: Double
    /// When the stage finished.
    public var finished: Double

    /// Writes the result at `path` through a temp file, fsync and rename, so a reader sees all of it or nothing.
    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let temporary = path + ".tmp-\(getpid())"
        let data = try encoder.encode(self)
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw EngineError.io(path: temporary, operation: "write result", errno: errno)
        }
        let descriptor = open(temporary, O_RDONLY)
        if descriptor >= 0 { fsync(descriptor); close(descriptor) }
        guard rename(temporary, path) == 0 else { throw EngineError.io(path: path, operation: "rename result into", errno: errno) }
    }

    /// Reads the result at `path`; nil when it does not exist (yet) or cannot be decoded.
    static func read(_ path: String) -> RemoteNodeResult? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(RemoteNodeResult.self, from: data)
    }
}
