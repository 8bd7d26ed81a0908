import EngineCore
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
    /// The root with every symlink resolved; every written path must resolve inside it.
    let realRoot: String
    /// `root.path`, computed once (building it from the URL on every call is slow).
    let rootPath: String

    /// Warnings found while opening (a lost catalog); commands print them.
    public let warnings: [String]

    /// Opens (creating `.rlhf/` if needed) the workspace at `root`; with `readOnly`, creates and
    /// writes nothing (the commands that only read work in a read-only workspace).
    public init(root: URL, readOnly: Bool = false) throws {
        self.root = root.standardizedFileURL
        rootPath = self.root.path
        realRoot = Self.realPath(rootPath) ?? rootPath
        stateDirectory = self.root.path + "/.rlhf"
        let catalogPath = stateDirectory + "/catalog.sqlite"
        if readOnly {
            warnings = []
            catalog = try Catalog(path: catalogPath, readOnly: true)
            store = ContentStore(existing: stateDirectory + "/objects")
            return
        }
        try FileSystem.createDirectory(stateDirectory)
        let lost = Self.lostCatalog(stateDirectory: stateDirectory, catalogPath: catalogPath)
        catalog = try Catalog(path: catalogPath)
        store = try ContentStore(root: stateDirectory + "/objects")
        warnings = lost.map { [$0] } ?? []
        Self.writeMarker(stateDirectory: stateDirectory)
    }

    /// Name of the file that says a catalog was created here (so a deleted one is noticed).
    static let markerName = "catalog.created"

    /// A loud warning when the catalog is missing or empty although the workspace had one (its
    /// marker exists) or the store holds objects: every record it held is lost.
    private static func lostCatalog(stateDirectory: String, catalogPath: String) -> String? {
        var info = stat()
        let exists = stat(catalogPath, &info) == 0
        guard !exists || info.st_size == 0 else { return nil }
        let created = try? String(contentsOfFile: stateDirectory + "/" + markerName, encoding: .utf8)
        let objects = ((try? FileManager.default.contentsOfDirectory(atPath: stateDirectory + "/objects")) ?? []).count
        guard created != nil || objects > 0 else { return nil }
        let state = exists ? "is empty (0 bytes)" : "is missing (deleted?)"
        let since = created.map { " since \($0.trimmingCharacters(in: .whitespacesAndNewlines))" } ?? ""
        return "WARNING: the catalog \(catalogPath) \(state). Lost with it: every run record\(since) (params, status, errors), all lineage "
            + "(which run produced and consumed what), metrics, gate verdicts, gate overrides and the stat cache. A new, empty catalog "
            + "is being created; the store still holds \(objects) object\(objects == 1 ? "" : "s"), but no run refers to them any more, "
            + "so the next build reruns every node. If you have a backup of the catalog, stop and restore it now."
    }

    private static func writeMarker(stateDirectory: String) {
        let path = stateDirectory + "/" + markerName
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let text = ISO8601DateFormatter().string(from: Date()) + "\n"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    /// The absolute path of a workspace-relative path (an absolute path, as an external `file` node has, is kept).
    public func absolute(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : rootPath + "/" + relative
    }

    /// The workspace-relative form of `path` (absolute or relative to the current directory), if inside.
    public func relative(_ path: String) -> String? {
        URL(fileURLWithPath: path).path(inside: root)
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
