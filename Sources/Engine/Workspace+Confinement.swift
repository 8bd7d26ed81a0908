import EngineCore
import Foundation

extension Workspace {
    /// The real (symlink-free) path of `path`, or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether the real path `real` is the workspace root or inside it, and not inside `.rlhf/`.
    func isConfined(_ real: String) -> Bool {
        (real == realRoot || real.hasPrefix(realRoot + "/")) && real != realRoot + "/.rlhf" && !real.hasPrefix(realRoot + "/.rlhf/")
    }

    /// The real path the workspace-relative `relative` would be written at: its deepest existing
    /// ancestor resolved through every symlink, plus the components still to be created. Throws
    /// when that ancestor lies outside the workspace (a symlinked directory pointing out of it).
    func resolvedDestination(_ relative: String) throws -> String {
        var resolved: [String: String] = [:]
        return try resolvedDestination(relative, resolved: &resolved)
    }

    /// `resolvedDestination`, remembering each directory's real path in `resolved` for the next call.
    private func resolvedDestination(_ relative: String, resolved: inout [String: String]) throws -> String {
        guard !relative.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw EngineError.unsafePath(path: relative, problem: "holds a NUL or control character")
        }
        var missing: [String] = [String(relative.split(separator: "/", omittingEmptySubsequences: false).last ?? "")]
        var ancestor = FileSystem.parent(of: absolute(relative))
        while true {
            if let real = resolved[ancestor] ?? Self.realPath(ancestor) {
                resolved[ancestor] = real
                guard isConfined(real) else {
                    throw EngineError.unsafePath(path: relative, problem: "its directory resolves to \(real), outside the workspace \(realRoot) (through a symlink)")
                }
                return ([real] + missing.reversed()).joined(separator: "/")
            }
            if case .symlink = FileHasher.linkKind(of: ancestor) {
                throw EngineError.unsafePath(path: relative, problem: "\(ancestor) is a dangling symlink")
            }
            missing.append(String(ancestor.split(separator: "/", omittingEmptySubsequences: false).last ?? ""))
            let parent = FileSystem.parent(of: ancestor)
            guard parent != ancestor, !parent.isEmpty else { throw EngineError.unsafePath(path: relative, problem: "no existing directory above it") }
            ancestor = parent
        }
    }

    /// Creates the parent directories of workspace-relative `relative` and returns the absolute
    /// path to write, with a real parent checked to stay inside the workspace after creation.
    func confinedDestination(_ relative: String) throws -> String {
        let planned = try resolvedDestination(relative)
        let parent = FileSystem.parent(of: planned)
        try FileSystem.createDirectory(parent)
        guard let real = Self.realPath(parent), isConfined(real) else {
            throw EngineError.unsafePath(path: relative, problem: "its directory moved outside the workspace while it was being created")
        }
        return real + "/" + planned[planned.index(after: planned.lastIndex(of: "/")!)...]
    }

    /// Checks every produced output of `pipeline` before anything runs: each must resolve inside the
    /// workspace, must not be or contain the pipeline file, and no two may be the same file or nest
    /// (also through symlinks inside the workspace).
    func checkOutputs(_ pipeline: Pipeline, registry: StageRegistry) throws {
        if try checkLexicalOutputs(pipeline, registry: registry) { return }
        var issues: [ValidationIssue] = []
        var owners: [String: String] = [:]
        var resolvedDirectories: [String: String] = [:]
        let pipelineFile = pipeline.file.flatMap(Self.realPath)
        for name in pipeline.order {
            let node = pipeline.nodes[name]!
            let produced = !(registry.kind(named: node.kind) is FileKind)
            for output in node.outputs.keys.sorted() {
                let jsonPath = produced ? "nodes.\(name).outputs.\(output)" : "nodes.\(name).params.path"
                let resolved: String
                do {
                    resolved = try resolvedDestination(node.outputs[output]!, resolved: &resolvedDirectories)
                } catch let error as EngineError {
                    guard produced else { continue }
                    if case let .unsafePath(_, problem) = error { issues.append(ValidationIssue(path: jsonPath, message: "'\(node.outputs[output]!)' \(problem)")) }
                    continue
                }
                if produced, let pipelineFile, pipelineFile == resolved || pipelineFile.hasPrefix(resolved + "/") {
                    issues.append(ValidationIssue(path: jsonPath, message: "'\(node.outputs[output]!)' would overwrite the pipeline file \(pipelineFile); choose another path"))
                }
                if let owner = owners[resolved] {
                    issues.append(ValidationIssue(path: jsonPath, message: "'\(node.outputs[output]!)' is the same file as \(owner) (through a symlink)"))
                }
                owners[resolved] = jsonPath
            }
        }
        let sorted = owners.keys.sorted()
        for (index, outer) in sorted.enumerated() {
            for inner in sorted[(index + 1)...] {
                guard inner.hasPrefix(outer) else { break }
                if inner.hasPrefix(outer + "/") { issues.append(ValidationIssue(path: owners[inner]!, message: "resolves inside \(owners[outer]!) (through a symlink)")) }
            }
        }
        guard issues.isEmpty else { throw EngineError.invalidPipeline(file: pipeline.file ?? "pipeline", issues: issues) }
    }

    /// The fast path of `checkOutputs` (a no-op build pays only one `realpath` per output directory):
    /// when every output's directory exists and resolves to its own lexical path, no symlink is on
    /// the way, so the validator's lexical checks already hold and only the pipeline file needs a
    /// look. Returns false when some directory is missing or aliased (then the full check runs).
    private func checkLexicalOutputs(_ pipeline: Pipeline, registry: StageRegistry) throws -> Bool {
        var plain: [Substring: Bool] = [:]
        let pipelineFile = pipeline.file.flatMap(Self.realPath)
        let pipelineRelative = pipelineFile.flatMap { $0.hasPrefix(realRoot + "/") ? String($0.dropFirst(realRoot.count + 1)) : nil }
        for name in pipeline.order {
            let node = pipeline.nodes[name]!
            for (output, relative) in node.outputs {
                let slash = relative.utf8.lastIndex(of: UInt8(ascii: "/")) ?? relative.startIndex
                let parent = relative[..<slash]
                if plain[parent] == nil {
                    let lexical = parent.isEmpty ? realRoot : realRoot + "/" + parent
                    plain[parent] = Self.realPath(parent.isEmpty ? rootPath : rootPath + "/" + parent) == lexical
                }
                guard plain[parent]! else { return false }
                if let pipelineRelative, pipelineRelative.hasPrefix(relative),
                   pipelineRelative.count == relative.count || pipelineRelative.dropFirst(relative.count).hasPrefix("/"),
                   !(registry.kind(named: node.kind) is FileKind) {
                    throw EngineError.invalidPipeline(file: pipeline.file ?? "pipeline", issues: [ValidationIssue(
                        path: "nodes.\(name).outputs.\(output)", message: "'\(relative)' would overwrite the pipeline file \(pipelineFile!); choose another path")])
                }
            }
        }
        return true
    }
}
