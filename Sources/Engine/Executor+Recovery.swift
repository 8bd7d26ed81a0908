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
        let recorded = recordedOutputs()
        var parents = Set<Substring>()
        for name in pipeline.order {
            for path in pipeline.nodes[name]!.outputs.values {
                let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) ?? path.startIndex
                parents.insert(path[..<slash])
            }
        }
        for relative in parents.sorted() {
            let parent = relative.isEmpty ? workspace.rootPath : workspace.rootPath + "/" + relative
            let temporaries = FileSystem.names(in: parent, startingWith: [ContentStore.temporaryPrefix]).sorted()
            for name in temporaries + FileSystem.names(in: parent, startingWith: [ContentStore.oldPrefix]).sorted() {
                let path = parent + "/" + name
                if let line = rollForward(path, name: name, parent: relative, recorded: recorded) {
                    found.append(line)
                } else if (try? FileSystem.remove(path)) != nil {
                    found.append("removed leftover \(workspace.relative(path) ?? path)")
                }
            }
        }
        return found
    }

    /// Workspace path → the hash the current head run of its node recorded there.
    private func recordedOutputs() -> [String: ContentHash] {
        let heads = (try? workspace.catalog.heads(experiment: pipeline.experiment)) ?? [:]
        var recorded: [String: ContentHash] = [:]
        for (name, node) in pipeline.nodes {
            for (output, path) in node.outputs {
                if let hash = heads[name]?.outputs[output] { recorded[path] = hash }
            }
        }
        return recorded
    }

    /// Completes an update a killed build recorded but did not finish: a temp copy (`name` in the
    /// workspace directory `parent`) holding exactly what the catalog says its output path holds
    /// is moved into place. Returns what it did, or nil when the file is only a leftover.
    private func rollForward(_ path: String, name: String, parent: Substring, recorded: [String: ContentHash]) -> String? {
        guard name.hasPrefix(ContentStore.temporaryPrefix) else { return nil }
        let rest = name.dropFirst(ContentStore.temporaryPrefix.count).drop { $0 != "-" }.dropFirst()
        let relative = parent.isEmpty ? String(rest) : parent + "/" + rest
        guard !rest.isEmpty, let expected = recorded[relative], let destination = try? workspace.confinedDestination(relative),
              ((try? FileHasher().hash(path: path)) ?? nil) == expected,
              ((try? FileHasher().hash(path: destination)) ?? nil) != expected else { return nil }
        let copy = StagedCopy(temporary: path, destination: destination, copied: [])
        guard (try? copy.commit()) != nil else { return nil }
        return "completed the interrupted update of \(relative) (recorded by the catalog)"
    }
}
