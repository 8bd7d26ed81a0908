import EngineCore

/// Planner facts answered from the catalog, the content store and the file system (via the stat cache).
final class LiveFacts: PlannerFacts {
    /// Current head run per node; the executor updates it as runs finish.
    var heads: [String: RunSummary]
    private let workspace: Workspace
    private let hasher: FileHasher
    private var cachedRuns: [ContentHash: RunSummary?] = [:]

    /// Creates facts over `workspace`, preloading the heads of `experiment` (the run cache by key stays global).
    init(workspace: Workspace, experiment: String, hasher: FileHasher) throws {
        self.workspace = workspace
        self.hasher = hasher
        heads = try workspace.catalog.heads(experiment: experiment)
        failures = try workspace.catalog.lastFailures(experiment: experiment)
    }

    private let failures: [String: RunFailure]

    /// The node's newest run of this experiment, when it failed after the head.
    func lastFailure(of node: String) -> RunFailure? {
        guard let failure = failures[node], failure.runId > heads[node]?.runId ?? 0 else { return nil }
        return failure
    }

    /// The node's head run.
    func head(of node: String) -> RunSummary? {
        heads[node]
    }

    /// The newest run with `key` whose outputs are all in the store.
    func reusableRun(key: ContentHash) -> RunSummary? {
        if let cached = cachedRuns[key] { return cached }
        let candidates = (try? workspace.catalog.runs(withKey: key)) ?? []
        let found = candidates.first { run in run.outputs.values.allSatisfy(workspace.store.contains) }
        cachedRuns[key] = found
        return found
    }

    /// Forgets cached key lookups (after a run adds new results).
    func invalidate(key: ContentHash) {
        cachedRuns[key] = nil
    }

    /// The view `viewer` gets from the current heads (`rlhf status`, `--dry-run`).
    func catalogView(viewer: String, pipeline: Pipeline) -> CatalogView? {
        try? CatalogView.load(viewer: viewer, pipeline: pipeline, heads: heads.mapValues(\.runId), catalog: workspace.catalog)
    }

    /// The hash at a workspace path (stat cache first).
    func currentHash(of path: String) -> ContentHash? {
        (try? hasher.hash(path: workspace.absolute(path))) ?? nil
    }
}
