import EngineCore
import Foundation
import Logging

/// What a worker hands back to the scheduling loop.
struct NodeRunResult {
    /// The run to record (status `succeeded` unless `error` is set).
    var finished: FinishedRun
    /// The node key.
    var key: ContentHash
    /// Failure message, nil on success.
    var error: String?
    /// Whether the run stopped because the build was interrupted.
    var interrupted: Bool
    /// Verified copies of the outputs next to their workspace paths, committed once the run is recorded.
    var staged: [StagedCopy] = []
    /// For a node run by a backend: how its dispatch went (its pending catalog row is removed once recorded).
    var remote: RemoteDispatchTiming?
    /// For a node served by the remote cache: its settle line (the run is recorded as reused).
    var remoteCacheLine: String?
    /// For a remote-cache miss: the plan to run instead (nothing is recorded).
    var remoteCacheMiss: NodePlan?
}

/// Runs one node on a worker thread: stage into temp paths, check and hash outputs, move them into
/// the store and materialise them at the declared paths. Registers nothing itself.
final class NodeRunJob: @unchecked Sendable {
    /// The workspace.
    let workspace: Workspace
    /// The node to run.
    let node: Node
    /// Its kind.
    let kind: any StageKind
    /// The plan that decided to run it (key, expected source hash).
    let plan: NodePlan
    /// Why it runs.
    let reason: RebuildReason
    /// Consumed artifacts.
    let inputs: [FinishedRun.Input]
    /// The pipeline seed.
    let seed: UInt64
    /// The experiment the run belongs to.
    let experiment: String
    /// The shared hasher with its stat cache.
    let hasher: FileHasher
    /// The stage context (nil for `file` nodes, which only record their source).
    let context: StageContext?
    private let runDirectory: String

    /// Prepares the run directory paths and the stage context.
    init(workspace: Workspace, node: Node, kind: any StageKind, plan: NodePlan, reason: RebuildReason, inputs: [FinishedRun.Input],
         seed: UInt64, experiment: String, hasher: FileHasher, catalog: CatalogView? = nil, stream: ConsoleStream = .standardError) {
        self.workspace = workspace
        self.node = node
        self.kind = kind
        self.plan = plan
        self.reason = reason
        self.inputs = inputs
        self.seed = seed
        self.experiment = experiment
        self.hasher = hasher
        let runDirectory = workspace.temporaryDirectory + "/" + node.name + "-" + UUID().uuidString.prefix(8)
        self.runDirectory = runDirectory
        if kind is FileKind {
            context = nil
        } else {
            let outputs = Dictionary(uniqueKeysWithValues: node.outputs.keys.map { ($0, URL(fileURLWithPath: runDirectory + "/out/" + $0)) })
            let inputPaths = Dictionary(uniqueKeysWithValues: inputs.map { ($0.role, URL(fileURLWithPath: workspace.absolute($0.path))) })
            var logger = Logger(label: "rlhf.\(node.name)")
            logger[metadataKey: "node"] = .string(node.name)
            context = StageContext(node: node.name, workspace: workspace.root, inputs: inputPaths, outputs: outputs, params: node.params,
                                   seed: seed, logger: logger, metrics: MetricsSink(), progress: ProgressReporter(label: node.name, stream: stream),
                                   scratch: URL(fileURLWithPath: runDirectory + "/scratch"), catalog: catalog)
        }
    }

    /// Runs the node and returns the run to record.
    func execute() -> NodeRunResult {
        let started = Date()
        var outputs: [FinishedRun.Output] = []
        var staged: [StagedCopy] = []
        var failure: String?
        do {
            if let context {
                (outputs, staged) = try runStage(context)
            } else {
                outputs = try recordSource()
            }
        } catch {
            failure = "\(error)"
        }
        try? FileSystem.remove(runDirectory)
        let finished = Date()
        let outcome = context?.processOutcome
        let run = RunRecord(id: nil, experiment: experiment, node: node.name, kind: kind.name, kindVersion: kind.version, key: plan.key?.hex ?? "", params: node.canonicalParams,
                            seed: kind.usesRandomness ? Int64(bitPattern: seed) : nil, status: "succeeded", reason: reason.description,
                            started: started.timeIntervalSince1970, finished: finished.timeIntervalSince1970,
                            duration: finished.timeIntervalSince(started), exitCode: outcome?.exitCode, lastStdout: outcome?.lastStdout,
                            lastStderr: outcome?.lastStderr, error: nil, sourceRun: nil)
        let record = FinishedRun(run: run, inputs: inputs, outputs: failure == nil ? outputs : [], params: node.params,
                                 metrics: context?.metrics.recorded ?? [], verdicts: context?.verdicts ?? [], becomesHead: failure == nil)
        return NodeRunResult(finished: record, key: plan.key ?? ContentHash(high: 0, low: 0), error: failure, interrupted: context?.isCancelled ?? false,
                             staged: staged)
    }

    private func recordSource() throws -> [FinishedRun.Output] {
        let path = node.outputs[FileKind.outputName]!
        let absolute = workspace.absolute(path)
        guard let hash = try hasher.hash(path: absolute), let expected = plan.outputs?[FileKind.outputName] else {
            throw EngineError.missingSource(node: node.name, path: path)
        }
        guard hash == expected else { throw EngineError.stageFailed(node: node.name, message: "\(path) changed while the build was planning; build again") }
        let isDirectory: Bool
        if case .directory = FileHasher.kind(of: absolute) { isDirectory = true } else { isDirectory = false }
        return [FinishedRun.Output(name: FileKind.outputName, path: path, hash: hash, size: FileSystem.treeSize(absolute), isDirectory: isDirectory, stored: false)]
    }

    private func runStage(_ context: StageContext) throws -> ([FinishedRun.Output], [StagedCopy]) {
        try FileSystem.createDirectory(runDirectory + "/out")
        try FileSystem.createDirectory(context.scratch.path)
        try kind.run(context)
        if context.isCancelled { throw EngineError.interrupted(signal: SIGINT) }
        return try Self.collect(node: node, temporaries: context.outputs.mapValues(\.path), workspace: workspace, isCancelled: { context.isCancelled })
    }

    /// Checks and hashes the outputs a stage wrote at `temporaries` (output name → path), moves them into the
    /// store and stages verified copies at their workspace paths (committed once the run is recorded).
    static func collect(node: Node, temporaries: [String: String], workspace: Workspace,
                        isCancelled: () -> Bool) throws -> ([FinishedRun.Output], [StagedCopy]) {
        let scratchHasher = FileHasher()
        var produced: [(name: String, temporary: String, hash: ContentHash, size: Int64, isDirectory: Bool)] = []
        for name in node.outputs.keys.sorted() {
            let temporary = temporaries[name]!
            if let link = FileSystem.firstNonRegular(under: temporary) {
                throw EngineError.stageFailed(node: node.name, message: "declared output '\(name)' " + (link == "." ? "is" : "holds \(link), which is")
                    + " a symlink or special file; outputs must be regular files and directories (copy the bytes instead of linking)")
            }
            guard let hash = try scratchHasher.hash(path: temporary) else {
                throw EngineError.stageFailed(node: node.name, message: "declared output '\(name)' was not created (write it at $RLHF_OUT_\(CommandKind.environmentName(name)))")
            }
            let isDirectory: Bool
            if case .directory = FileHasher.kind(of: temporary) { isDirectory = true } else { isDirectory = false }
            produced.append((name, temporary, hash, FileSystem.treeSize(temporary), isDirectory))
        }
        let store = workspace.store
        for output in produced {
            try store.ingest(output.temporary, as: output.hash)
        }
        if isCancelled() { throw EngineError.interrupted(signal: SIGINT) }
        var staged: [StagedCopy] = []
        do {
            for output in produced {
                staged.append(try store.stage(output.hash, at: try workspace.confinedDestination(node.outputs[output.name]!)))
            }
        } catch {
            staged.forEach { $0.discard() }
            throw error
        }
        let outputs = produced.map { FinishedRun.Output(name: $0.name, path: node.outputs[$0.name]!, hash: $0.hash, size: $0.size, isDirectory: $0.isDirectory, stored: true) }
        return (outputs, staged)
    }

    /// Commits staged copies (after their run is recorded) and seeds the stat cache with them.
    static func commit(_ staged: [StagedCopy], workspace: Workspace, paths: [String: String], hasher: FileHasher) throws {
        for copy in staged {
            let written = try copy.commit()
            if let relative = paths[copy.destination] {
                remember(written, writtenAt: copy.destination, keyedAt: workspace.absolute(relative), hasher: hasher)
            }
        }
    }

    /// Seeds the stat cache with the files a materialisation wrote (bytes hashed while written),
    /// so the next build only `stat`s them.
    /// The cache is keyed by the path planning hashes (`keyedAt`, the workspace path as written),
    /// which may differ from the resolved path written (`writtenAt`) by a symlink inside the workspace.
    static func remember(_ copied: [CopiedFile], writtenAt destination: String, keyedAt key: String, hasher: FileHasher) {
        for file in copied {
            hasher.remember(path: key + file.path.dropFirst(destination.count), fingerprint: file.fingerprint, hash: file.hash)
        }
    }
}
