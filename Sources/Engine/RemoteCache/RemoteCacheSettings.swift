import EngineCore
import Foundation
import S3

/// What a build does with the shared content cache.
public enum RemoteCacheMode: String, Sendable, CaseIterable {
    /// No remote cache.
    case off
    /// On a local miss, serve a node from the cache when it has the node's key.
    case read
    /// Read, and push every node this build runs or reuses (objects first, the `ac/` entry last).
    case readwrite

    /// Whether the cache is read.
    public var reads: Bool { self != .off }
    /// Whether results are pushed.
    public var writes: Bool { self == .readwrite }
}

/// The cache a command uses and how. Found in this order (first wins): the flags `--remote-cache-url` and
/// `--remote-cache`, the environment (`RLHF_REMOTE_CACHE_URL`, `RLHF_REMOTE_CACHE`), then the workspace file
/// `remote-cache.json` (`{"url": "s3://bucket/prefix", "mode": "read"}`), so a team commits the URL with mode
/// `read` and CI passes `--remote-cache readwrite`. A URL without a mode means `read`.
public struct RemoteCacheSettings: Sendable {
    /// The workspace file that names the team's cache.
    public static let workspaceFile = "remote-cache.json"

    /// Bucket and prefix.
    public var location: S3Location
    /// Read, or read and write.
    public var mode: RemoteCacheMode
    /// The rlhf version recorded as part of the producer of every pushed result.
    public var rlhfVersion: String
    /// Endpoint, region, addressing and credentials.
    public var configuration: S3Configuration

    /// Creates settings.
    public init(location: S3Location, mode: RemoteCacheMode, rlhfVersion: String, configuration: S3Configuration) {
        self.location = location
        self.mode = mode
        self.rlhfVersion = rlhfVersion
        self.configuration = configuration
    }

    /// The settings for a command run in `workspaceRoot` with the flags `url` and `mode` (nil when not given); nil when
    /// the cache is off. A mode without any URL, a bad URL or a bad workspace file is an error naming the fix.
    public static func resolve(url: String?, mode: String?, workspaceRoot: String, rlhfVersion: String,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RemoteCacheSettings? {
        let file = workspaceRoot + "/" + workspaceFile
        var fileURL: String?
        var fileMode: String?
        if let data = FileManager.default.contents(atPath: file) {
            guard let object = (try? JSONValue.parse(Array(data), file: file))?.objectValue else {
                throw S3Error.configuration(source: file, problem: "must be a JSON object like {\"url\": \"s3://bucket/prefix\", \"mode\": \"read\"}")
            }
            for key in object.keys where !["url", "mode"].contains(key) {
                throw S3Error.configuration(source: file, problem: "unknown key '\(key)'; expected url and mode")
            }
            guard let url = object["url"]?.stringValue else {
                throw S3Error.configuration(source: file, problem: "\"url\" must be a string like \"s3://bucket/prefix\"")
            }
            fileURL = url
            fileMode = object["mode"]?.stringValue
            if object["mode"] != nil && fileMode == nil {
                throw S3Error.configuration(source: file, problem: "\"mode\" must be one of off, read, readwrite")
            }
        }
        let chosenMode = [mode, environment["RLHF_REMOTE_CACHE"], fileMode].compactMap { $0 }.first { !$0.isEmpty }
        let chosenURL = [url, environment["RLHF_REMOTE_CACHE_URL"], fileURL].compactMap { $0 }.first { !$0.isEmpty }
        let resolvedMode: RemoteCacheMode
        if let chosenMode {
            guard let parsed = RemoteCacheMode(rawValue: chosenMode) else {
                throw S3Error.configuration(source: "remote cache mode '\(chosenMode)'", problem: "use off, read or readwrite")
            }
            resolvedMode = parsed
        } else {
            resolvedMode = chosenURL == nil ? .off : .read
        }
        guard resolvedMode != .off else { return nil }
        guard let chosenURL else {
            throw EngineError.notFound(what: "remote cache URL", hint: "pass --remote-cache-url s3://bucket/prefix, set RLHF_REMOTE_CACHE_URL, or write it in \(workspaceFile)")
        }
        return RemoteCacheSettings(location: try S3Location(parsing: chosenURL), mode: resolvedMode, rlhfVersion: rlhfVersion,
                                   configuration: try S3Configuration.resolve(environment: environment))
    }
}
