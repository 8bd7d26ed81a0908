import EngineCore
import Foundation
import Logging

/// One build in progress: the scheduling loop on the calling thread, node runs on worker threads.
final class BuildSession: @unchecked Sendable {
    /// Where a node stands in this build.
    enum State {
        case pending
        case running
        case done(outputs: [String: ContentHash], runId: Int64?, gateFailed: Bool)
        case failed
        case blocked(by: String)
        case skipped
    }

    /// The executor this build belongs to.
    let executor: Executor
    /// Nodes in this build, topologically ordered.
    let nodes: [String]
    /// Nodes forced to run.
    let forced: Set<String>
    /// The build flags.
    let options: BuildOptions
    /// The shared hasher with its stat cache.
    let hasher: FileHasher
    /// Planner facts, updated as runs finish.
    let facts: LiveFacts
    private var states: [String: State] = [:]
    private var summary = BuildSummary()
    private var waiting: [NodePlan] = []
    private var runningCount = 0
    private var stopScheduling = false
    private let condition = NSCondition()
    private var completions: [NodeRunResult] = []
    private var contexts: [String: StageContext] = [:]
    /// Per settled node: the overridden failed gates it stands past (its own and its upstream's).
    private var overrides: [String: Set<GateOverride>] = [:]
    /// What this build did with each settled node (what a catalog view reports as its action).
    private var actions: [String: BuildAction] = [:]
    /// The catalog view of each `readsCatalog` node about to run.
    private var views: [String: CatalogView] = [:]
    /// Failure message of every failed gate node seen in this build.
    private var gateMessages: [String: String] = [:]
    /// The signal that interrupted the build, if any.
    private(set) var interruptedBy: Int32?
    /// One dispatcher per remote backend in use (guarded by `condition`).
    private var dispatchers: [String: RemoteDispatcher] = [:]
    /// The shared content cache, when this build reads or writes one.
    let remoteCache: RemoteCache?
    /// Nodes already looked up in the remote cache in this build.
    private var remoteChecked = Set<String>()
    /// Built-in kinds heavy enough to leave the machine; gates and catalog-reading kinds always stay local.
    static let remoteKinds: Set<String> = ["command", "pretrain", "sft", "reward_model", "ppo", "preferences", "evaluate"]

    /// Creates a session with every node pending.
    init(executor: Executor, nodes: [String], forced: Set<String>, options: BuildOptions, hasher: FileHasher, facts: LiveFacts,
         remoteCache: RemoteCache? = nil) {
        self.remoteCache = remoteCache
        self.executor = executor
        self.nodes = nodes
        self.forced = forced
        self.options = options
        self.hasher = hasher
        self.facts = facts
        for node in nodes { states[node] = .pending }
    }

    /// Runs the loop until every node is settled.
    func run() throws -> BuildSummary {
        let started = Date()
        while true {
            try scheduleReadyNodes()
            try dispatchWaiting()
            if runningCount == 0 && waiting.isEmpty { break }
            for result in awaitCompletions() { try finish(result) }
        }
        for node in nodes where isPending(node) {
            states[node] = .skipped
            summary.skipped.append(node)
        }
        if let remoteCache {
            if interruptedBy != nil { remoteCache.cancelPushes() }
            remoteCache.waitForPushes()
        }
        condition.lock()
        let remote = Array(dispatchers.values)
        condition.unlock()
        for dispatcher in remote {
            dispatcher.stop()
            if interruptedBy == nil { cancelOrphans(of: dispatcher) }
        }
        executor.output(summary.line + String(format: " (%.2fs)", Date().timeIntervalSince(started)))
        return summary
    }

    /// Called from the signal handler thread: stop scheduling and cancel running nodes.
    func interrupt(signal: Int32) {
        condition.lock()
        interruptedBy = signal
        let running = Array(contexts.values)
        let remote = Array(dispatchers.values)
        condition.broadcast()
        condition.unlock()
        for context in running { context.cancel() }
        for dispatcher in remote { dispatcher.cancelAll() }
    }

    private var isInterrupted: Bool {
        condition.lock()
        defer { condition.unlock() }
        return interruptedBy != nil
    }

    private func isPending(_ node: String) -> Bool {
        if case .pending = states[node]! { return true }
        return false
    }

    private func scheduleReadyNodes() throws {
        for name in nodes where isPending(name) {
            let node = executor.pipeline.nodes[name]!
            let ready = node.dependencies.allSatisfy { dependency in
                switch states[dependency] {
                case .pending?, .running?: return false
                default: return true
                }
            }
            guard ready else { continue }
            if let blockedBy = Planner.blockingGate(of: node, allowedGates: Set(options.allowFailedGates), state: settledState) {
                states[name] = .blocked(by: blockedBy)
                summary.blocked.append(name)
                summary.blockedBy[name] = blockedBy
                executor.output("  blocked  \(name)  (blocked by \(blockedBy))")
                continue
            }
            if stopScheduling || isInterrupted { continue }
            var past = Set<GateOverride>()
            for dependency in node.dependencies {
                guard case let .done(_, runId, gateFailed)? = states[dependency] else { continue }
                past.formUnion(overrides[dependency] ?? [])
                if gateFailed, let runId {
                    past.insert(GateOverride(gateNode: dependency, gateRun: runId, message: gateMessages[dependency] ?? "gate failed"))
                }
            }
            overrides[name] = past
            var inputs: [String: ContentHash] = [:]
            for (role, source) in node.inputs {
                if case let .done(outputs, _, _)? = states[source.node] { inputs[role] = outputs[source.output] }
            }
            let view = try catalogView(of: node)
            let plan = executor.planner.decide(node: node, inputs: inputs, forced: forced.contains(name), facts: facts, catalog: view)
            switch plan.decision {
            case .upToDate:
                let head = facts.head(of: name)
                actions[name] = .upToDate
                states[name] = .done(outputs: plan.outputs ?? [:], runId: head?.runId, gateFailed: head?.gateFailed ?? false)
                summary.upToDate.append(name)
                if let head, !past.isEmpty { try executor.workspace.catalog.record(overrides: past.sorted(by: Self.order), run: head.runId) }
                if let head, head.gateFailed {
                    try settle(name, line: "  current  \(name)", verdicts: try executor.workspace.catalog.detail(run: head.runId).gates)
                }
            case let .reuse(runId):
                do {
                    try reuse(node, plan: plan, sourceRun: runId)
                } catch let EngineError.corruptObject(hash, actual) {
                    // Never copy a corrupt object out: drop it and run the node instead.
                    if let bad = ContentHash(hex: hash) { try executor.workspace.store.remove(bad) }
                    executor.output("  CORRUPT  \(name): store object \(hash) hashes to \(actual); dropped it, running the node instead")
                    var rerun = plan
                    rerun.decision = .run(.outputMissing(output: node.outputs.first { plan.outputs?[$0.key]?.hex == hash }?.key ?? "?"))
                    rerun.outputs = nil
                    states[name] = .running
                    views[name] = view
                    waiting.append(rerun)
                }
            case .run:
                states[name] = .running
                views[name] = view
                waiting.append(plan)
            case .blocked:
                break
            }
        }
    }

    /// Moves the staged copies of `node`'s recorded run into place and seeds the stat cache with them.
    private func commit(_ staged: [StagedCopy], node: String) throws {
        guard !staged.isEmpty else { return }
        let workspace = executor.workspace
        var paths: [String: String] = [:]
        for relative in executor.pipeline.nodes[node]!.outputs.values {
            if let destination = try? workspace.resolvedDestination(relative) { paths[destination] = relative }
        }
        try NodeRunJob.commit(staged, workspace: workspace, paths: paths, hasher: hasher)
    }

    /// A settled node as the planner's gate-blocking rule sees it (nil while pending or running).
    private func settledState(_ node: String) -> SettledState? {
        switch states[node] {
        case .pending?, .running?, nil: return nil
        case .failed?, .skipped?: return .failed
        case let .blocked(gate)?: return .blocked(by: gate)
        case let .done(_, _, gateFailed)?: return gateFailed ? .gateFailed : .fine
        }
    }

    /// The view a `readsCatalog` node gets: the runs this build settled for every node above it (nil for other kinds).
    private func catalogView(of node: Node) throws -> CatalogView? {
        guard executor.registry.kind(named: node.kind)?.readsCatalog == true else { return nil }
        var heads: [String: Int64] = [:]
        for (name, state) in states {
            if case let .done(_, runId?, _) = state { heads[name] = runId }
        }
        return try CatalogView.load(viewer: node.name, pipeline: executor.pipeline, heads: heads, actions: actions, catalog: executor.workspace.catalog)
    }

    private func dispatchWaiting() throws {
        while runningCount < max(1, options.jobs), !waiting.isEmpty, !stopScheduling, !isInterrupted {
            let plan = waiting.removeFirst()
            guard case let .run(reason) = plan.decision else { continue }
            let node = executor.pipeline.nodes[plan.node]!
            if let cache = remoteCache, remoteChecked.insert(node.name).inserted {
                let kind = executor.registry.kind(named: node.kind)!
                if RemoteCache.caches(kind), reason != .forced {
                    runningCount += 1
                    let inputs = inputsOf(node)
                    DispatchQueue.global().async { [self] in
                        let result = cache.serve(node: node, kind: kind, plan: plan, inputs: inputs, experiment: executor.pipeline.experiment,
                                                 seed: executor.pipeline.seed, workspace: executor.workspace, output: executor.output)
                        condition.lock()
                        completions.append(result)
                        condition.broadcast()
                        condition.unlock()
                    }
                    continue
                }
                if options.remoteCacheOnly, !(kind is FileKind) {
                    states[node.name] = .skipped
                    summary.skipped.append(node.name)
                    continue
                }
            }
            executor.output("  run      \(node.name)  (\(reason))")
            if let dispatcher = try dispatcher(for: node) {
                runningCount += 1
                dispatcher.start(RemoteNodeJob(node: node, kind: executor.registry.kind(named: node.kind)!, plan: plan, reason: reason, inputs: inputsOf(node)))
                continue
            }
            let job = prepare(node, plan: plan, reason: reason)
            runningCount += 1
            DispatchQueue.global().async { [self] in
                let result = job.execute()
                condition.lock()
                completions.append(result)
                contexts[node.name] = nil
                condition.broadcast()
                condition.unlock()
            }
        }
        if stopScheduling || isInterrupted {
            for plan in waiting { states[plan.node] = .pending }
            waiting.removeAll()
        }
    }

    /// The dispatcher that runs `node` elsewhere, or nil when it runs here: `local`, a gate, a catalog-reading or light kind.
    private func dispatcher(for node: Node) throws -> RemoteDispatcher? {
        let name = node.executor ?? options.executor
        guard let kind = executor.registry.kind(named: node.kind), Self.remoteKinds.contains(kind.name), !kind.readsCatalog,
              let backend = try ExecutorBackends.named(name, rayAddress: options.rayAddress) else { return nil }
        condition.lock()
        defer { condition.unlock() }
        if let existing = dispatchers[name] { return existing }
        let transfer = try remoteTransfer(for: backend)
        let dispatcher = RemoteDispatcher(backend: backend, workspace: executor.workspace, experiment: executor.pipeline.experiment,
                                          seed: executor.pipeline.seed, interval: options.pollInterval, retries: options.remoteRetries,
                                          transfer: transfer, output: executor.output) { [self] result in
            condition.lock()
            completions.append(result)
            condition.broadcast()
            condition.unlock()
        }
        dispatchers[name] = dispatcher
        return dispatcher
    }

    /// The content cache that carries remote nodes' data under `--remote-data cache`, nil with a shared file system; an
    /// error names the fix when the cache or the backend cannot do it.
    private func remoteTransfer(for backend: any ExecutorBackend) throws -> RemoteCache? {
        guard options.remoteData == .cache else { return nil }
        guard !backend.needsSharedFileSystem else {
            throw EngineError.stageFailed(node: "?", message: "--remote-data cache: \(backend.name) jobs need the workspace on a shared file system "
                + "(the job script and its log live in the run directory); use --remote-data shared, or --executor ray")
        }
        guard let remoteCache else {
            throw EngineError.notFound(what: "content cache for --remote-data cache",
                                       hint: "the nodes' data moves through it: pass --remote-cache-url s3://bucket/prefix (or set RLHF_REMOTE_CACHE_URL)")
        }
        return remoteCache
    }

    /// Cancels the jobs of pending rows no build follows any more (their driver died and their node was not
    /// run again by this build, e.g. after an edit changed its key).
    private func cancelOrphans(of dispatcher: RemoteDispatcher) {
        let catalog = executor.workspace.catalog
        for pending in (try? catalog.pendingRemoteRuns()) ?? [] where pending.backend == dispatcher.backend.name && !dispatcher.handledKeys.contains(pending.key) {
            if let id = pending.jobId { try? dispatcher.backend.cancel([id]) }
            try? catalog.removePendingRemoteRun(key: pending.key)
            try? FileSystem.remove(pending.runDirectory)
            if let id = pending.cacheRun { dispatcher.transfer?.removeRun(id: id) }
            executor.output("  cancel   \(pending.node)  (orphaned \(pending.backend) job \(pending.jobId ?? "?") of an earlier build)")
        }
    }

    private func awaitCompletions() -> [NodeRunResult] {
        condition.lock()
        defer { condition.unlock() }
        while completions.isEmpty && runningCount > 0 {
            condition.wait()
        }
        let results = completions
        completions.removeAll()
        return results
    }

    private func inputsOf(_ node: Node) -> [FinishedRun.Input] {
        node.inputs.keys.sorted().compactMap { role in
            let source = node.inputs[role]!
            guard case let .done(outputs, runId, _)? = states[source.node], let hash = outputs[source.output] else { return nil }
            let path = executor.pipeline.nodes[source.node]!.outputs[source.output]!
            return FinishedRun.Input(role: role, source: source, path: path, hash: hash, upstreamRun: runId)
        }
    }

    private func prepare(_ node: Node, plan: NodePlan, reason: RebuildReason) -> NodeRunJob {
        let kind = executor.registry.kind(named: node.kind)!
        let inputs = inputsOf(node)
        let job = NodeRunJob(workspace: executor.workspace, node: node, kind: kind, plan: plan, reason: reason, inputs: inputs,
                             seed: executor.pipeline.seed(of: node), experiment: executor.pipeline.experiment, hasher: hasher, catalog: views.removeValue(forKey: node.name),
                             stream: executor.stream)
        if let context = job.context {
            condition.lock()
            contexts[node.name] = context
            condition.unlock()
        }
        return job
    }

    private func finish(_ result: NodeRunResult) throws {
        runningCount -= 1
        let name = result.finished.run.node
        if let plan = result.remoteCacheMiss {
            if options.remoteCacheOnly {
                states[name] = .skipped
                summary.skipped.append(name)
            } else {
                waiting.insert(plan, at: 0)
            }
            return
        }
        if result.interrupted || isInterrupted && (result.error != nil || result.remoteCacheLine != nil) {
            result.staged.forEach { $0.discard() }
            states[name] = .pending
            executor.output("  stopped  \(name)")
            return
        }
        var finished = result.finished
        finished.overrides = (overrides[name] ?? []).sorted(by: Self.order)
        defer { if result.remote != nil { try? executor.workspace.catalog.removePendingRemoteRun(key: result.key.hex) } }
        if let error = result.error {
            finished.run.status = "failed"
            finished.run.error = error
            try executor.workspace.catalog.record(finished, statCache: hasher.takeDirtyEntries())
            states[name] = .failed
            summary.failed.append(name)
            summary.errors[name] = error
            executor.output("  FAILED   \(name): \(error)")
            if !options.keepGoing { stopScheduling = true }
            return
        }
        let runId: Int64
        do {
            runId = try executor.workspace.catalog.record(finished, statCache: hasher.takeDirtyEntries())
        } catch {
            result.staged.forEach { $0.discard() }
            throw error
        }
        // Only a recorded run may change the workspace: the staged copies move into place now.
        try commit(result.staged, node: name)
        let gateFailed = finished.verdicts.contains(where: \.blocks)
        facts.heads[name] = summary(of: finished, runId: runId, gateFailed: gateFailed)
        facts.invalidate(key: result.key)
        states[name] = .done(outputs: Dictionary(uniqueKeysWithValues: finished.outputs.map { ($0.name, $0.hash) }), runId: runId, gateFailed: gateFailed)
        let servedByCache = result.remoteCacheLine != nil
        actions[name] = servedByCache ? .reused : .built
        if servedByCache { summary.reused.append(name) } else if !gateFailed { summary.built.append(name) }
        if !servedByCache, let remoteCache, remoteCache.settings.mode.writes, RemoteCache.caches(executor.registry.kind(named: finished.run.kind)!) {
            remoteCache.schedulePush(run: runId, node: name, workspace: executor.workspace, output: executor.output)
        }
        try settle(name, line: result.remoteCacheLine ?? String(format: "  done     \(name)  %.2fs", finished.run.duration) + (result.remote.map(Self.overhead) ?? ""),
                   verdicts: finished.verdicts)
    }

    /// Prints the line of a settled node, with its gate verdicts in the same line when it has any, and
    /// counts a blocking failure as a failed node (which stops the build without `--keep-going`).
    private func settle(_ name: String, line: String, verdicts: [GateVerdict]) throws {
        guard !verdicts.isEmpty else { return executor.output(line) }
        let failures = verdicts.filter { $0.status == .fail }
        let blocking = failures.contains(where: \.blocks)
        let overridden = blocking && options.allowFailedGates.contains(name)
        let words = verdicts.map { verdicts.count == 1 ? $0.wording + ($0.status == .pass || $0.message.isEmpty ? "" : ": \($0.message)") : $0.sentence }
        executor.output(line + "  " + words.joined(separator: "; ") + (overridden ? " (overridden by --allow-failed-gates)" : ""))
        guard !failures.isEmpty else { return }
        let message = failures.map(\.sentence).joined(separator: "; ")
        gateMessages[name] = message
        guard blocking else { return summary.warned.append(name) }
        if overridden { return summary.overridden.append(name) }
        summary.failed.append(name)
        summary.errors[name] = message
        if !options.keepGoing { stopScheduling = true }
    }

    /// `  (slurm job 12: ready→running 0.84s, finished→recorded 0.31s)` for a remote node's `done` line.
    private static func overhead(_ timing: RemoteDispatchTiming) -> String {
        let recorded = Date().timeIntervalSince1970
        let start = timing.reattached ? "re-attached" : String(format: "ready→running %.2fs", timing.workerStarted - timing.ready)
        return String(format: "  (\(timing.backend) job \(timing.jobId), attempt \(timing.attempt): \(start), finished→recorded %.2fs)",
                      recorded - timing.workerFinished)
    }

    private static func order(_ left: GateOverride, _ right: GateOverride) -> Bool {
        (left.gateNode, left.gateRun) < (right.gateNode, right.gateRun)
    }

    private func summary(of finished: FinishedRun, runId: Int64, gateFailed: Bool) -> RunSummary {
        RunSummary(runId: runId, node: finished.run.node, key: ContentHash(hex: finished.run.key)!, kindVersion: finished.run.kindVersion,
                   canonicalParams: finished.run.params, seed: finished.run.seed.map { UInt64(bitPattern: $0) },
                   inputs: Dictionary(uniqueKeysWithValues: finished.inputs.map { ($0.role, $0.hash) }),
                   outputs: Dictionary(uniqueKeysWithValues: finished.outputs.map { ($0.name, $0.hash) }), gateFailed: gateFailed)
    }

    private func reuse(_ node: Node, plan: NodePlan, sourceRun: Int64) throws {
        let outputs = plan.outputs ?? [:]
        let store = executor.workspace.store
        var produced: [FinishedRun.Output] = []
        var staged: [StagedCopy] = []
        defer { staged.forEach { $0.discard() } }
        for name in node.outputs.keys.sorted() {
            guard let hash = outputs[name] else { continue }
            let destination = try executor.workspace.confinedDestination(node.outputs[name]!)
            if facts.currentHash(of: node.outputs[name]!) != hash {
                staged.append(try store.stage(hash, at: destination))
            }
            let isDirectory: Bool
            if case .directory = FileHasher.kind(of: destination) { isDirectory = true } else { isDirectory = false }
            produced.append(FinishedRun.Output(name: name, path: node.outputs[name]!, hash: hash, size: store.size(of: hash), isDirectory: isDirectory, stored: true))
        }
        let kind = executor.registry.kind(named: node.kind)!
        let now = Date().timeIntervalSince1970
        let run = RunRecord(id: nil, experiment: executor.pipeline.experiment, node: node.name, kind: kind.name, kindVersion: kind.version, key: plan.key!.hex, params: node.canonicalParams,
                            seed: kind.usesRandomness ? Int64(bitPattern: executor.pipeline.seed(of: node)) : nil, status: "reused",
                            reason: "reused run \(sourceRun)", started: now, finished: now, duration: 0, exitCode: nil, lastStdout: nil,
                            lastStderr: nil, error: nil, sourceRun: sourceRun)
        let verdicts = try executor.workspace.catalog.detail(run: sourceRun).gates
        let finished = FinishedRun(run: run, inputs: inputsOf(node), outputs: produced, params: node.params, metrics: [], verdicts: verdicts, becomesHead: true,
                                   overrides: (overrides[node.name] ?? []).sorted(by: Self.order))
        let runId = try executor.workspace.catalog.record(finished, statCache: hasher.takeDirtyEntries())
        try commit(staged, node: node.name)
        staged = []
        if let remoteCache, remoteCache.settings.mode.writes, RemoteCache.caches(kind) {
            remoteCache.schedulePush(run: runId, node: node.name, workspace: executor.workspace, output: executor.output)
        }
        let gateFailed = verdicts.contains(where: \.blocks)
        facts.heads[node.name] = summary(of: finished, runId: runId, gateFailed: gateFailed)
        states[node.name] = .done(outputs: outputs, runId: runId, gateFailed: gateFailed)
        actions[node.name] = .reused
        summary.reused.append(node.name)
        try settle(node.name, line: "  reuse    \(node.name)  (run \(sourceRun))", verdicts: verdicts)
    }
}
