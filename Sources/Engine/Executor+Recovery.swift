import EngineCore
import Foundation

extension Executor {
    /// Cleans up after a build that was killed (the caller holds the lock): kills the process
    /// groups of `command` children it left running, removes its run directories, and removes the
    /// temp copies (`.rlhf-tmp-*`, `.rlhf-old-*`) left next to any declared output. Returns what
    /// it found, one line each.
    func recoverLeftovers() -> [String] {
        var found: [String] = []
        let temporary = workspace.temporaryDirectory
        for run in (try? FileSystem.listDirectory(temporary)) ?? [] {
            if let group = ChildProcess.killRecorded(at: temporary + "/" + run + "/" + ChildProcess.recordName) {
                found.append("killed process group \(group) left running by an interrupted build (\(run))")
            }
        }
        try? FileSystem.remove(temporary)
        var parents = Set<String>()
        for name in pipeline.order {
            for path in pipeline.nodes[name]!.outputs.values {
                parents.insert(FileSystem.parent(of: workspace.absolute(path)))
            }
        }
        for parent in parents.sorted() {
            guard let names = try? FileSystem.listDirectory(parent) else { continue }
            for name in names where name.hasPrefix(ContentStore.temporaryPrefix) || name.hasPrefix(ContentStore.oldPrefix) {
                let path = parent + "/" + name
                if (try? FileSystem.remove(path)) != nil { found.append("removed leftover \(workspace.relative(path) ?? path)") }
            }
        }
        return found
    }
}
