import EngineCore
import Foundation
import S3

/// The shared content cache on an S3-compatible store, keyed exactly like the local run cache:
/// `ac/<node key>` is a `RemoteCacheEntry` and `cas/<sha256>` holds object bytes (a directory as a manifest of file
/// objects). Downloads are verified twice: SHA-256 against the object's name, XXH3 against the local hash. Anything
/// missing or corrupt is a miss, never an error of the build. Thread-safe.
public final class RemoteCache: @unchecked Sendable {
    /// Where the cache is and how it is used.
    public let settings: RemoteCacheSettings
    /// The store client.
    let client: S3Client
    private let pushQueue = DispatchQueue(label: "rlhf.remote-cache.push")
    private let pushGroup = DispatchGroup()
    private let lock = NSLock()
    private var pushesCancelled = false

    /// A cache for `settings`.
    public init(settings: RemoteCacheSettings) {
        self.settings = settings
        client = S3Client(configuration: settings.configuration, bucket: settings.location.bucket)
    }

    /// The full key of the entry for node key `key`.
    func entryKey(_ key: String) -> String { settings.location.key("ac/" + key) }

    /// The full key of the object with SHA-256 `sha256`.
    func objectKey(_ sha256: String) -> String { settings.location.key("cas/" + sha256) }

    /// The entry stored for node key `key`, nil when there is none; an undecodable document is reported as `malformed`.
    func entry(key: String) throws -> (entry: RemoteCacheEntry?, malformed: String?) {
        guard let data = try client.get(entryKey(key)) else { return (nil, nil) }
        do {
            return (try JSONDecoder().decode(RemoteCacheEntry.self, from: data), nil)
        } catch {
            return (nil, "ac/\(key) is not a cache entry: \(error)")
        }
    }

    /// Whether `kind` may be served from or pushed to the cache: every kind but `file` nodes (they record a workspace
    /// source) and catalog-reading kinds (their key holds this catalog's run ids).
    static func caches(_ kind: any StageKind) -> Bool {
        !(kind is FileKind) && !kind.readsCatalog
    }

    /// Runs `work` on the push queue (in order, one at a time) unless pushes were cancelled.
    func enqueuePush(_ work: @escaping () -> Void) {
        pushQueue.async(group: pushGroup) { [self] in
            lock.lock()
            let cancelled = pushesCancelled
            lock.unlock()
            if !cancelled { work() }
        }
    }

    /// Waits for every queued push (the end of a build).
    func waitForPushes() {
        pushGroup.wait()
    }

    /// Drops pushes not yet started (an interrupted build); the one in flight finishes, its entry last as always.
    func cancelPushes() {
        lock.lock()
        pushesCancelled = true
        lock.unlock()
    }
}
