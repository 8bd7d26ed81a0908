import Foundation

/// A workspace: the directory holding `pipeline.json` and the engine's `.rlhf/` state.
public final class Workspace: @unchecked Sendable {
    /// Absolute workspace root.
    public let root: URL
    /// The engine's state directory, `.rlhf/`.
    public let stateDirectory: String
    /// The catalog.
    public let catalog: Catalog
    /// The content store.
    public let store: ContentStore

    /// Opens (creating `.rlhf/` if needed) the workspace at `root`.
    public init(root: URL) throws {
        self.root = root.standardizedFileURL
        stateDirectory = self.root.path + "/.rlhf"
        try FileSystem.createDirectory(stateDirectory)
        catalog = try Catalog(path: stateDirectory + "/catalog.sqlite")
        store = try ContentStore(root: stateDirectory + "/objects")
    }

    /// The absolute path of a workspace-relative path (an absolute path, as an external `file` node has, is kept).
    public func absolute(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : root.path + "/" + relative
    }

    /// The workspace-relative form of `path` (absolute or relative to the current directory), if inside.
    public func relative(_ path: String) -> String? {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard absolute.hasPrefix(root.path + "/") else { return nil }
        return String(absolute.dropFirst(root.path.count + 1))
    }

    /// Where runs keep their temporary outputs and scratch files.
    var temporaryDirectory: String {
        stateDirectory + "/tmp"
    }

    /// Takes the build lock (`.rlhf/lock`), or throws naming the holder's pid.
    public func lock() throws -> WorkspaceLock {
        try WorkspaceLock(path: stateDirectory + "/lock")
    }
}
