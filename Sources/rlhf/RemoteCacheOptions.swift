import ArgumentParser
import Engine

/// The shared content cache flags of `build`, `push` and `pull`.
struct RemoteCacheOptions: ParsableArguments {
    /// Cache URL.
    @Option(name: .customLong("remote-cache-url"),
            help: ArgumentHelp("The shared content cache (default: $RLHF_REMOTE_CACHE_URL, else the workspace's remote-cache.json).", valueName: "s3://BUCKET/PREFIX"))
    var url: String?

    /// The settings for `workspaceRoot` with `mode` (a flag value or nil); nil when the cache is off.
    func settings(mode: String?, workspaceRoot: String) throws -> RemoteCacheSettings? {
        try RemoteCacheSettings.resolve(url: url, mode: mode, workspaceRoot: workspaceRoot, rlhfVersion: BuildInfo.version)
    }

    /// The settings of `push` and `pull`, which need a cache whatever the configured mode says.
    func required(mode: RemoteCacheMode, workspaceRoot: String) throws -> RemoteCacheSettings {
        guard var settings = try RemoteCacheSettings.resolve(url: url, mode: mode.rawValue, workspaceRoot: workspaceRoot, rlhfVersion: BuildInfo.version) else {
            throw ValidationError("no remote cache")
        }
        settings.mode = mode
        return settings
    }
}
