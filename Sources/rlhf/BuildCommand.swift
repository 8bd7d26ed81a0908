import ArgumentParser
import Engine
import EngineCore
import Foundation

/// `rlhf build [TARGET…]`: brings the targets (default: every node) up to date.
struct BuildCommand: ParsableCommand {
    /// Command name, abstract and subcommands.
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build stale nodes of the pipeline.")

    @OptionGroup var workspace: WorkspaceOptions

    /// Nodes to build (with what they need).
    @Argument(help: "Nodes to build; default: all.")
    var targets: [String] = []

    /// Print the plan only.
    @Flag(help: "Print the plan and run nothing.")
    var dryRun = false

    /// Nodes to force.
    @Option(help: "Run this node even if up to date (repeatable).")
    var force: [String] = []

    /// Force below the forced nodes too.
    @Flag(help: "Also force every node below the --force nodes.")
    var forceDownstream = false

    /// Parallelism.
    @Option(name: [.short, .long], help: "Independent nodes to run at once.")
    var jobs = 1

    /// Continue past failures.
    @Flag(help: "Keep building other branches after a failure.")
    var keepGoing = false

    /// Failed gates to build past.
    @Option(name: .customLong("allow-failed-gates"), help: ArgumentHelp("Build below this failed gate node for this build only; recorded in lineage (repeatable).", valueName: "GATE"))
    var allowFailedGates: [String] = []

    /// Where heavy nodes run.
    @Option(help: ArgumentHelp("Where command and training nodes run: local, slurm or ray (a node's \"executor\" wins).", valueName: "NAME"))
    var executor = "local"

    /// The Ray dashboard.
    @Option(help: ArgumentHelp("Ray dashboard (Jobs API) for the ray executor; default $RAY_API_SERVER_ADDRESS, an http $RAY_ADDRESS, else http://127.0.0.1:8265.",
                               valueName: "URL"))
    var rayAddress: String?

    /// Backend poll period.
    @Option(help: ArgumentHelp("Seconds between two polls of the executor backend (one squeue or Ray job list for every job).", valueName: "SECONDS"))
    var pollInterval = 2.0

    /// Resubmissions after infrastructure failures.
    @Option(help: "Resubmit a remote node this often after an infrastructure failure (not after a failing exit).")
    var remoteRetries = 2

    /// How remote nodes' data moves.
    @Option(help: ArgumentHelp("How remote nodes' data moves: shared (the workspace is on a file system the workers share) or cache (Ray "
                               + "workers share nothing: inputs, outputs and results go through the --remote-cache-url content cache).", valueName: "MODE"))
    var remoteData = RemoteDataMode.shared

    /// Shared content cache use.
    @Option(name: .customLong("remote-cache"),
            help: ArgumentHelp("Shared content cache: off, read (serve a node from it on a local miss) or readwrite (also push what this build runs or reuses).",
                               valueName: "MODE"))
    var remoteCacheMode: String?

    @OptionGroup var remoteCache: RemoteCacheOptions

    /// One-off param changes.
    @Option(name: .customLong("set"), help: ArgumentHelp("Change one param for this build: a one-off variant experiment recorded in the catalog (repeatable).",
                                                         valueName: "NODE.PARAM=VALUE"))
    var settings: [String] = []

    /// The variant's name.
    @Option(help: "Name of the --set variant (default: <experiment>-set-<hash of the settings>).")
    var variant: String?

    /// JSON summary.
    @Flag(help: "Print the summary as JSON.")
    var json = false

    /// Checks the flags before anything runs.
    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard !forceDownstream || !force.isEmpty else { throw ValidationError("--force-downstream needs --force NODE") }
        guard ExecutorBackends.names.contains(executor) else { throw ValidationError("--executor must be one of \(ExecutorBackends.names.joined(separator: ", "))") }
        guard remoteCacheMode.map({ RemoteCacheMode(rawValue: $0) != nil }) ?? true else { throw ValidationError("--remote-cache must be off, read or readwrite") }
        guard pollInterval > 0, remoteRetries >= 0 else { throw ValidationError("--poll-interval must be positive and --remote-retries at least 0") }

        guard variant == nil || !settings.isEmpty else { throw ValidationError("--variant names a --set variant; add --set NODE.PARAM=VALUE") }
    }

    /// Runs the command.
    func run() throws {
        let workspace = try self.workspace.open()
        // One stream for node lines and stage progress, unbuffered, so a log file keeps their order;
        // stderr under --json, whose summary owns stdout.
        let stream = json ? ConsoleStream.standardError : ConsoleStream(descriptor: STDOUT_FILENO)
        let settings = try self.settings.map(ParamSetting.init(parsing:))
        let pipeline = try self.workspace.loader().load(path: self.workspace.pipelinePath(workspace), settings: settings, variant: variant)
        if !settings.isEmpty {
            stream.line("variant \(pipeline.experiment): " + settings.map { "\($0.node).\($0.param)=\($0.value.canonical)" }.joined(separator: " "))
        }
        if !pipeline.seeds.isEmpty {
            let clones = pipeline.nodes.values.filter { $0.replica != nil }.count
            stream.line("replicated over seeds \(pipeline.seeds.map(String.init).joined(separator: ", ")): "
                + "\(clones / pipeline.seeds.count) seeded nodes per seed, \(pipeline.nodes.count - clones) shared or aggregate nodes")
        }
        let executor = Executor(workspace: workspace, pipeline: pipeline, registry: KindRegistry.all, output: { stream.line($0) }, stream: stream)
        var options = BuildOptions()
        options.targets = Self.clones(of: targets, in: pipeline)
        options.dryRun = dryRun
        options.force = Self.clones(of: force, in: pipeline)
        options.forceDownstream = forceDownstream
        options.jobs = jobs
        options.keepGoing = keepGoing
        options.allowFailedGates = Self.clones(of: allowFailedGates, in: pipeline)
        options.handlesSignals = true
        options.executor = self.executor
        options.pollInterval = pollInterval
        options.rayAddress = rayAddress
        options.remoteRetries = remoteRetries
        options.remoteCache = try remoteCache.settings(mode: remoteCacheMode, workspaceRoot: workspace.root.path)
        options.remoteData = remoteData
        if options.remoteData == .cache, options.remoteCache == nil {
            throw ValidationError("--remote-data cache moves remote nodes' data through the content cache: give it with --remote-cache-url s3://BUCKET/PREFIX")
        }
        let summary: BuildSummary
        do {
            summary = try executor.build(options)
        } catch let EngineError.interrupted(signal) {
            FileHandle.standardError.write(Data("build interrupted by signal \(signal); nothing half-done was registered\n".utf8))
            throw ExitCode(128 + signal)
        }
        if json { try JSONOutput.print(summary) }
        if !summary.succeeded { throw ExitCode.failure }
    }

    /// `names` with each node that a replicated pipeline cloned (`ppo`) replaced by its clones (`ppo-seed11`, `ppo-seed22`, …),
    /// so targets, `--force` and `--allow-failed-gates` written for the plain pipeline mean every seed.
    static func clones(of names: [String], in pipeline: Pipeline) -> [String] {
        names.flatMap { name -> [String] in
            guard pipeline.nodes[name] == nil else { return [name] }
            let clones = pipeline.order.filter { pipeline.nodes[$0]?.replica?.base == name }
            return clones.isEmpty ? [name] : clones
        }
    }
}
