import EngineCore
import Foundation

extension Executor {
    /// Cleans up after a build that was killed (the caller holds the lock): kills the process
    /// groups of `command` children it left running, removes its run directories, and removes the
    /// temp copies (`.rlhf-tmp-*`, `.rlhf-old-*`) left next to any declared output. Returns what
    /// it found, one line each. A build creates `.rlhf/tmp` before it writes anything and removes
    /// it last, so when it is absent the previous build finished and nothing is scanned.
    func recoverLeftovers() -> [String] {
        var found: [String] = []
        let temporary = workspace.temporaryDirectory
        guard access(temporary, F_OK) == 0 else { return [] }
        for run in (try? FileSystem.listDirectory(temporary)) ?? [] {
            if let group = ChildProcess.killRecorded(at: temporary + "/" + run + "/" + ChildProcess.recordName) {
                found.append("killed process group \(group) left running by an interrupted build (\(run))")
            }
        }
        try? FileSystem.remove(temporary)
        var parents = Set<Substring>()
        for name in pipeline.order {
            for path in pipeline.nodes[name]!.outputs.values {
                let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) ?? path.startIndex
                parents.insert(path[..<slash])
            }
        }
        for relative in parents.sorted() {
            let parent = relative.isEmpty ? workspace.rootPath : workspace.rootPath + "/" + relative
            for name in FileSystem.names(in: parent, startingWith: [ContentStore.temporaryPrefix, ContentStore.oldPrefix]) {
                let path = parent + "/" + name
                if (try? FileSystem.remove(path)) != nil { found.append("removed leftover \(workspace.relative(path) ?? path)") }
            }
        }
        return found
    }
}
