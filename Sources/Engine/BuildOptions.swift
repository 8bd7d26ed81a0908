/// How to run a build (the flags of `rlhf build`).
public struct BuildOptions: Sendable {
    /// Nodes to build with everything they need; empty means every node.
    public var targets: [String] = []
    /// Print the plan and run nothing.
    public var dryRun = false
    /// Nodes to run even when up to date.
    public var force: [String] = []
    /// Also force everything below the forced nodes.
    public var forceDownstream = false
    /// How many nodes may run at once.
    public var jobs = 1
    /// Keep building other branches after a failure.
    public var keepGoing = false
    /// Gate nodes whose failing verdict is overridden for this build (`--allow-failed-gates`): nodes
    /// below them are planned as usual (keys unchanged) and each run recorded below an overridden
    /// gate, or an up-to-date head accepted below it, gets a `gate_overrides` row. A later build
    /// without the flag blocks everything below the gate again; their outputs stay in the store
    /// and are up to date again only with the flag (or once the gate passes).
    public var allowFailedGates: [String] = []
    /// Where nodes that may leave the machine run unless their `"executor"` says otherwise (`local`, `slurm`, `ray`).
    public var executor = "local"
    /// The Ray dashboard for the `ray` executor (nil: `RAY_API_SERVER_ADDRESS`, an http `RAY_ADDRESS`, else http://127.0.0.1:8265).
    public var rayAddress: String?
    /// Seconds between two polls of a backend (one `squeue` for every job).
    public var pollInterval = 2.0
    /// How remote nodes' data moves: through a shared file system, or through the content cache (`remoteCache` must be set).
    public var remoteData = RemoteDataMode.shared
    /// How often a remote node is resubmitted after an infrastructure failure (a node's `"resources": {"retries"}` wins).
    public var remoteRetries = 2
    /// The shared content cache: on a local miss a node is served from it when it has the node's key; in readwrite mode
    /// every node run or reused here is pushed to it. Nil: no remote cache.
    public var remoteCache: RemoteCacheSettings?
    /// Run nothing: serve what the remote cache has and skip every other node (`rlhf pull`).
    public var remoteCacheOnly = false
    /// Install SIGINT/SIGTERM handlers that stop running nodes cleanly (the CLI sets this).
    public var handlesSignals = false

    /// Default options: build everything, one job at a time.
    public init() {}
}

/// What a build did, node names by outcome (the `--json` output of `rlhf build`).
public struct BuildSummary: Codable, Sendable, Equatable {
    /// Nodes that ran and succeeded.
    public var built: [String] = []
    /// Nodes served from the store without running.
    public var reused: [String] = []
    /// Nodes that were already up to date.
    public var upToDate: [String] = []
    /// Nodes that failed (including gates with a failing verdict).
    public var failed: [String] = []
    /// Nodes below a failed node.
    public var blocked: [String] = []
    /// Blocked node → the failed node (usually a gate) that blocks it.
    public var blockedBy: [String: String] = [:]
    /// Nodes whose gate failed with severity `warn` (recorded, nothing blocked).
    public var warned: [String] = []
    /// Failed gates overridden by `--allow-failed-gates` (their downstream ran; not counted as failed).
    public var overridden: [String] = []
    /// Nodes not started because the build stopped at a failure (no `--keep-going`).
    public var skipped: [String] = []
    /// Failure message by node.
    public var errors: [String: String] = [:]

    /// Whether anything failed or was blocked.
    public var succeeded: Bool {
        failed.isEmpty && blocked.isEmpty && skipped.isEmpty
    }

    /// One line: `built 3, reused 1, up to date 10, failed 0, blocked 0`.
    public var line: String {
        var text = "built \(built.count), reused \(reused.count), up to date \(upToDate.count), failed \(failed.count), blocked \(blocked.count)"
        if !overridden.isEmpty { text += ", overridden gates \(overridden.count)" }
        if !skipped.isEmpty { text += ", not started \(skipped.count)" }
        return text
    }
}
