import EngineCore
import Foundation
import Logging

/// Runs a pipeline incrementally: plans each node when its inputs are known, runs stale nodes
/// (in parallel up to `jobs`), serves cached results from the store, and records every finished
/// run in one catalog transaction.
public final class Executor: @unchecked Sendable {
    /// The workspace.
    public let workspace: Workspace
    /// The validated pipeline.
    public let pipeline: Pipeline
    /// The kinds.
    public let registry: StageRegistry
    /// Receives human-readable progress lines.
    public let output: @Sendable (String) -> Void
    /// Where stage progress goes: the same stream as `output` in the CLI, so a log keeps the order.
    public let stream: ConsoleStream
    /// Hashing figures of the last build (for benchmarks).
    public private(set) var lastHashing = HashingStats()
    /// The planner.
    public var planner: Planner { Planner(pipeline: pipeline, registry: registry) }

    /// Creates an executor; `output` receives one line per event (defaults to stdout), `stream` the stages' progress.
    public init(workspace: Workspace, pipeline: Pipeline, registry: StageRegistry,
                output: @escaping @Sendable (String) -> Void = { print($0) }, stream: ConsoleStream = .standardError) {
        self.stream = stream
        self.workspace = workspace
        self.pipeline = pipeline
        self.registry = registry
        self.output = output
    }

    /// The plan for `targets` (all nodes when empty) as `rlhf status` and `--dry-run` show it;
    /// nodes below a failed gate are blocked unless the gate is in `allowFailedGates`.
    public func plan(targets: [String] = [], force: [String] = [], forceDownstream: Bool = false, allowFailedGates: [String] = []) throws -> Plan {
        let nodes = try selectNodes(targets)
        try checkNodes(allowFailedGates, flag: "--allow-failed-gates")
        try workspace.checkOutputs(pipeline, registry: registry)
        let hasher = FileHasher(cache: workspace.catalog.isReadOnly ? (try? workspace.catalog.loadStatCache()) ?? [:] : try workspace.catalog.loadStatCache())
        let facts = try LiveFacts(workspace: workspace, experiment: pipeline.experiment, hasher: hasher)
        let plan = planner.plan(nodes: nodes, facts: facts, forced: try forcedNodes(force, downstream: forceDownstream), allowedGates: Set(allowFailedGates))
        if !workspace.catalog.isReadOnly { try? workspace.catalog.saveStatCache(hasher.takeDirtyEntries()) }
        return plan
    }

    /// Builds according to `options`; returns what happened (check `succeeded`).
    public func build(_ options: BuildOptions) throws -> BuildSummary {
        if options.dryRun {
            let plan = try self.plan(targets: options.targets, force: options.force, forceDownstream: options.forceDownstream,
                                     allowFailedGates: options.allowFailedGates)
            for entry in plan.entries { output(PlanRenderer.line(entry)) }
            return PlanRenderer.summary(plan, allowedGates: Set(options.allowFailedGates))
        }
        let lock = try workspace.lock()
        defer { lock.release() }
        if let stale = lock.takenOverFrom { output("taking over a stale lock left by pid \(stale), which is no longer running") }
        try workspace.checkOutputs(pipeline, registry: registry)
        for line in recoverLeftovers() { output(line) }
        try FileSystem.createDirectory(workspace.temporaryDirectory)
        let nodes = try selectNodes(options.targets)
        for warning in staleScriptWarnings(nodes: nodes) { output(warning) }
        let forced = try forcedNodes(options.force, downstream: options.forceDownstream)
        try checkNodes(options.allowFailedGates, flag: "--allow-failed-gates")
        let hasher = FileHasher(cache: try workspace.catalog.loadStatCache())
        let hashingStarted = Date()
        prehashSources(nodes, hasher: hasher, jobs: options.jobs)
        lastHashing = HashingStats(bytes: hasher.bytesRead, seconds: Date().timeIntervalSince(hashingStarted))
        let facts = try LiveFacts(workspace: workspace, experiment: pipeline.experiment, hasher: hasher)
        let session = BuildSession(executor: self, nodes: nodes, forced: forced, options: options, hasher: hasher, facts: facts,
                                   remoteCache: options.remoteCache.map(RemoteCache.init(settings:)))
        let signals = options.handlesSignals ? SignalTrap(session: session) : nil
        defer { signals?.restore() }
        let summary = try session.run()
        try workspace.catalog.saveStatCache(hasher.takeDirtyEntries())
        try? FileSystem.remove(workspace.temporaryDirectory)
        if let signal = session.interruptedBy { throw EngineError.interrupted(signal: signal) }
        return summary
    }

    private func selectNodes(_ targets: [String]) throws -> [String] {
        for target in targets where pipeline.nodes[target] == nil {
            throw EngineError.notFound(what: "target '\(target)'", hint: "nodes are: \(pipeline.order.joined(separator: ", "))")
        }
        return targets.isEmpty ? pipeline.order : pipeline.closure(of: targets)
    }

    private func checkNodes(_ names: [String], flag: String) throws {
        for name in names where pipeline.nodes[name] == nil {
            throw EngineError.notFound(what: "node '\(name)' given to \(flag)", hint: "nodes are: \(pipeline.order.joined(separator: ", "))")
        }
    }

    private func forcedNodes(_ names: [String], downstream: Bool) throws -> Set<String> {
        try checkNodes(names, flag: "--force")
        var forced = Set(names)
        if downstream { forced.formUnion(pipeline.downstream(of: forced)) }
        return forced
    }

    /// Hashes every `file` node source up front, `jobs` files at a time, so planning only hits the cache.
    private func prehashSources(_ nodes: [String], hasher: FileHasher, jobs: Int) {
        let paths = nodes.compactMap { name -> String? in
            guard let node = pipeline.nodes[name], registry.kind(named: node.kind) is FileKind else { return nil }
            return node.outputs[FileKind.outputName].map(workspace.absolute)
        }
        let next = WorkCounter()
        DispatchQueue.concurrentPerform(iterations: min(jobs, paths.count)) { _ in
            while true {
                let index = next.increment()
                guard index < paths.count else { return }
                _ = try? hasher.hash(path: paths[index])
            }
        }
    }
}

/// How many source bytes a build read and how long hashing them took.
public struct HashingStats: Sendable, Codable, Equatable {
    /// Bytes read and hashed (stat-cache hits excluded).
    public var bytes: Int64 = 0
    /// Wall time of the hashing phase.
    public var seconds: Double = 0
}

/// A lock-protected counter for handing out work indices.
final class WorkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    /// Returns the current value and adds one.
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}
