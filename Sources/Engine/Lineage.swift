import EngineCore
import Foundation

/// Resolves what `rlhf trace` was given (a node, an artifact hash prefix or a workspace path) and
/// renders the answers, all from the catalog.
public struct Lineage {
    /// The workspace whose catalog answers.
    public let workspace: Workspace
    /// The experiment whose runs a node name refers to (nil: the newest of any experiment).
    public let experiment: String?

    /// Creates a lineage view of `workspace` in which node names refer to `experiment`'s runs.
    public init(workspace: Workspace, experiment: String?) {
        self.workspace = workspace
        self.experiment = experiment
    }

    /// The run to trace upstream from `target`: a node's current run, the producer of an artifact
    /// (hash prefix), or the producer of what a workspace path holds (a path inside a directory
    /// artifact means that artifact).
    public func run(for target: String) throws -> Int64 {
        let starts = try self.starts(for: target)
        return starts[0].run
    }

    /// Where to trace downstream from `target`: a node's current run (all its outputs), the run
    /// that produced the artifact a workspace path holds (that output only; a path inside a
    /// directory artifact means that artifact), or every producer of an artifact hash prefix.
    public func starts(for target: String) throws -> [TraceStart] {
        let catalog = workspace.catalog
        if let run = try catalog.latestRun(node: target, experiment: experiment) { return [TraceStart(run: run, output: nil)] }
        if let path = workspace.relative(target), let found = try producers(atPath: path) { return found }
        try checkOtherExperiments(target)
        let hashes = try artifactHashes(prefix: target)
        let found = try catalog.producers(ofArtifact: hashes[0])
        guard !found.isEmpty else {
            throw EngineError.notFound(what: "a run producing \(hashes[0])", hint: "it is a source file; trace its path or its file node")
        }
        return found
    }

    /// The run (and output) that made what `path` holds, trying the path and then each directory
    /// above it: the producer of the bytes there now, else the newest producer at that path.
    private func producers(atPath path: String) throws -> [TraceStart]? {
        var candidate = path
        while !candidate.isEmpty && candidate != "." {
            let known = try workspace.catalog.producers(atPath: candidate, experiment: experiment)
            if !known.isEmpty {
                if let hash = try? FileHasher().hash(path: workspace.absolute(candidate)),
                   let current = try workspace.catalog.producers(ofArtifact: hash.hex, path: candidate).first(where: { start in known.contains(start) }) {
                    return [current]
                }
                return [known[0]]
            }
            candidate = FileSystem.parent(of: candidate)
        }
        return nil
    }

    /// Throws a clear error when `target` is a node with runs only in other experiments.
    private func checkOtherExperiments(_ target: String) throws {
        guard let experiment else { return }
        let others = try workspace.catalog.runs(node: target, limit: 1000).map(\.experiment).filter { $0 != experiment }
        guard !others.isEmpty else { return }
        throw EngineError.notFound(what: "a run of node '\(target)' in experiment '\(experiment)'",
                                   hint: "it has runs in experiment(s) \(Array(Set(others)).sorted().joined(separator: ", ")); pass --experiment NAME")
    }

    private func artifactHashes(prefix: String) throws -> [String] {
        let hint = "give a node name, a workspace path, or at least 4 hex digits of an artifact hash"
        guard prefix.count >= 4, prefix.allSatisfy(\.isHexDigit) else { throw EngineError.notFound(what: "node, workspace path or artifact hash '\(prefix)'", hint: hint) }
        let hashes = try workspace.catalog.artifactHashes(prefix: prefix)
        guard !hashes.isEmpty else { throw EngineError.notFound(what: "artifact \(prefix)", hint: hint) }
        guard hashes.count == 1 else { throw EngineError.notFound(what: "a unique artifact for prefix \(prefix) (\(hashes.count) match)", hint: "give more digits") }
        return hashes
    }

    /// The upstream tree as indented text: run, key, params, then each input with its producer;
    /// a run already shown is referred to by id.
    public static func render(_ tree: TraceTree) -> [String] {
        var shown = Set<Int64>()
        return render(tree, indent: "", shown: &shown)
    }

    private static func render(_ tree: TraceTree, indent: String, shown: inout Set<Int64>) -> [String] {
        shown.insert(tree.run.id)
        var lines = ["\(indent)\(tree.run.node)  run \(tree.run.id)  \(tree.run.status)  key \(tree.run.key.prefix(12))  params \(tree.run.params)"]
        if tree.run.reason.hasPrefix(RemoteCache.reasonPrefix) { lines.append("\(indent)  ⇣ from \(tree.run.reason)") }
        for entry in tree.run.overrides {
            lines.append("\(indent)  ! built past failed gate \(entry.gateNode) (run \(entry.gateRun), --allow-failed-gates): \(entry.message)")
        }
        for (name, hash) in tree.run.outputs.sorted(by: { $0.key < $1.key }) {
            lines.append("\(indent)  → \(name) \(hash.prefix(12))")
        }
        for input in tree.inputs {
            lines.append("\(indent)  ← \(input.role): \(input.artifact.prefix(12))  \(input.path)")
            if let producer = input.producer {
                lines += render(producer, indent: indent + "      ", shown: &shown)
            } else if let run = input.producerRun {
                lines.append("\(indent)      (run \(run)\(shown.contains(run) ? ", shown above" : ", deeper than --depth"))")
            }
        }
        return lines
    }

    /// The downstream runs as text, one per line, indented by depth.
    public static func render(_ runs: [DownstreamRun]) -> [String] {
        runs.map { entry in
            String(repeating: "  ", count: max(0, entry.depth - 1))
                + "\(entry.run.node)  run \(entry.run.id)  \(entry.run.status)  key \(entry.run.key.prefix(12))  "
                + (entry.via == "reuse" ? "reuses run \(entry.from)" : "consumed \(entry.via.prefix(12)) from run \(entry.from)")
                + entry.run.overrides.map { "  (past failed gate \($0.gateNode))" }.joined()
                + (entry.run.reason.hasPrefix(RemoteCache.reasonPrefix) ? "  (from \(entry.run.reason))" : "")
        }
    }
}
