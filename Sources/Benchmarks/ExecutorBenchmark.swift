import Engine
import EngineCore
import Foundation

/// `rlhf bench executor`: a generated workspace of `file` sources and `command` nodes (chains and
/// fan-in) measuring first-build hashing throughput, the no-op build and a one-leaf rebuild.
public struct ExecutorBenchmark {
    /// Benchmark settings.
    public struct Configuration: Sendable {
        /// Total bytes of generated source files.
        public var totalBytes: Int64 = 1 << 30
        /// Number of source files.
        public var sources = 100
        /// Number of command chains (4 nodes each); aggregators bring the total to `commandNodes`.
        public var commandNodes = 200
        /// Parallel jobs for the builds.
        public var jobs = 2
        /// Directory to create the workspace in.
        public var directory: String
        /// The `rlhf` executable for subprocess no-op timings (nil: in-process only).
        public var executable: String?

        /// Defaults: 1 GiB over 100 files, 200 command nodes, 2 jobs.
        public init(directory: String) {
            self.directory = directory
        }
    }

    /// Measured figures.
    public struct Report: Codable, Sendable {
        /// Command nodes in the pipeline.
        public var commandNodes: Int
        /// Bytes of source files.
        public var sourceBytes: Int64
        /// Jobs used.
        public var jobs: Int
        /// First build wall time, seconds.
        public var firstBuildSeconds: Double
        /// Hashing throughput during the first build, MB/s.
        public var firstBuildHashMBps: Double
        /// Single-threaded streaming hash throughput over the same files (best of 3), MB/s.
        public var singleThreadHashMBps: Double
        /// `xxhsum -H2` over the same files (best of 3), MB/s (nil when xxhsum is missing).
        public var xxhsumMBps: Double?
        /// Median no-op build in-process, milliseconds.
        public var noOpInProcessMs: Double
        /// Median no-op `rlhf build` as a subprocess (including process start), milliseconds.
        public var noOpProcessMs: Double?
        /// Rebuild after one source file changes, milliseconds.
        public var oneLeafRebuildMs: Double
        /// Nodes that reran in that rebuild.
        public var oneLeafRebuilt: Int
    }

    /// The settings.
    public var configuration: Configuration

    /// Creates a benchmark.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Generates the workspace, runs the measurements and removes nothing (the caller owns the directory).
    public func run(log: (String) -> Void) throws -> Report {
        let root = configuration.directory
        try FileManager.default.createDirectory(atPath: root + "/src", withIntermediateDirectories: true)
        log("generating \(configuration.sources) source files, \(configuration.totalBytes >> 20) MiB in total")
        let sourcePaths = try generateSources(root: root)
        try Data(pipelineJSON().utf8).write(to: URL(fileURLWithPath: root + "/pipeline.json"))
        let workspace = try Workspace(root: URL(fileURLWithPath: root))
        let pipeline = try PipelineLoader(registry: .builtIn).load(path: root + "/pipeline.json")
        let executor = Executor(workspace: workspace, pipeline: pipeline, registry: .builtIn, output: { _ in })
        var options = BuildOptions()
        options.jobs = configuration.jobs

        sync()
        let megabytes = Double(configuration.totalBytes) / 1_000_000
        log("xxhsum -H2 and a single-threaded streaming hash over the same files (best of 3 each)")
        var xxhsumSeconds: Double?
        var singleSeconds = Double.infinity
        var started = Date()
        for _ in 0..<3 {
            if let seconds = try timeXXHSum(sourcePaths) { xxhsumSeconds = min(xxhsumSeconds ?? .infinity, seconds) }
            started = Date()
            for path in sourcePaths { _ = try FileHasher.streamHash(path: path) }
            singleSeconds = min(singleSeconds, Date().timeIntervalSince(started))
        }

        log("first build")
        started = Date()
        let first = try executor.build(options)
        let firstSeconds = Date().timeIntervalSince(started)
        guard first.succeeded else { throw EngineError.stageFailed(node: first.failed.first ?? "?", message: first.errors.values.first ?? "benchmark build failed") }
        let hashing = executor.lastHashing

        log("no-op builds")
        var inProcess: [Double] = []
        for _ in 0..<5 {
            started = Date()
            let summary = try executor.build(options)
            inProcess.append(Date().timeIntervalSince(started) * 1000)
            guard summary.built.isEmpty else { throw EngineError.stageFailed(node: summary.built[0], message: "no-op build ran nodes") }
        }
        var subprocess: [Double] = []
        if let executable = configuration.executable {
            for _ in 0..<5 {
                started = Date()
                let status = try runProcess([executable, "build", "-C", root], directory: root)
                subprocess.append(Date().timeIntervalSince(started) * 1000)
                guard status == 0 else { throw EngineError.stageFailed(node: "bench", message: "rlhf build exited \(status)") }
            }
        }

        log("one-leaf rebuild")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: sourcePaths[0]))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("changed leaf\n".utf8))
        try handle.close()
        started = Date()
        let rebuild = try executor.build(options)
        let rebuildMs = Date().timeIntervalSince(started) * 1000

        return Report(commandNodes: configuration.commandNodes, sourceBytes: configuration.totalBytes, jobs: configuration.jobs,
                      firstBuildSeconds: firstSeconds, firstBuildHashMBps: megabytes / max(hashing.seconds, 1e-9),
                      singleThreadHashMBps: megabytes / singleSeconds, xxhsumMBps: xxhsumSeconds.map { megabytes / $0 },
                      noOpInProcessMs: Self.median(inProcess), noOpProcessMs: subprocess.isEmpty ? nil : Self.median(subprocess),
                      oneLeafRebuildMs: rebuildMs, oneLeafRebuilt: rebuild.built.count)
    }

    /// The pipeline: chains of 4 commands fed by sources (fan-in), aggregators over chain tails, one final node.
    func pipelineJSON() -> String {
        let chains = (configuration.commandNodes - 5) * 45 / 200
        let aggregators = max(1, chains / 3)
        let groups = max(1, configuration.commandNodes - chains * 4 - aggregators - 1)
        var nodes: [String: JSONValue] = [:]
        for index in 0..<configuration.sources {
            nodes["src\(index)"] = .object(["kind": .string("file"), "params": .object(["path": .string("src/s\(index).bin")])])
        }
        func command(_ name: String, _ inputs: [String: String], _ cmd: String) {
            nodes[name] = .object([
                "kind": .string("command"),
                "inputs": .object(inputs.mapValues { .string($0) }),
                "params": .object(["cmd": .string(cmd)]),
                "outputs": .object(["out": .string("out/\(name).txt")]),
            ])
        }
        let concatenate = #"for f in $(env | grep '^RLHF_IN_' | sort | cut -d= -f2); do head -c 200 "$f"; done > "$RLHF_OUT_OUT"; echo "$RLHF_NODE" >> "$RLHF_OUT_OUT""#
        for chain in 0..<chains {
            var inputs: [String: String] = [:]
            for source in stride(from: chain, to: configuration.sources, by: chains) { inputs["s\(source)"] = "src\(source)" }
            command("c\(chain)_0", inputs, #"for f in $(env | grep '^RLHF_IN_' | sort | cut -d= -f2); do cksum < "$f"; done > "$RLHF_OUT_OUT""#)
            for step in 1..<4 { command("c\(chain)_\(step)", ["prev": "c\(chain)_\(step - 1)"], concatenate) }
        }
        for aggregator in 0..<aggregators {
            var inputs: [String: String] = [:]
            for chain in stride(from: aggregator, to: chains, by: aggregators) { inputs["c\(chain)"] = "c\(chain)_3" }
            command("agg\(aggregator)", inputs, concatenate)
        }
        for group in 0..<groups {
            var inputs: [String: String] = [:]
            for aggregator in stride(from: group, to: aggregators, by: groups) { inputs["a\(aggregator)"] = "agg\(aggregator)" }
            command("group\(group)", inputs, concatenate)
        }
        command("final", Dictionary(uniqueKeysWithValues: (0..<groups).map { ("g\($0)", "group\($0)") }), concatenate)
        return JSONValue.object(["experiment": .string("bench"), "seed": .int(0), "nodes": .object(nodes)]).canonical
    }

    private func generateSources(root: String) throws -> [String] {
        let perFile = Int(configuration.totalBytes / Int64(configuration.sources))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var words = [UInt64](repeating: 0, count: 1 << 17)
        var paths: [String] = []
        for index in 0..<configuration.sources {
            let path = root + "/src/s\(index).bin"
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw EngineError.io(path: path, operation: "create", errno: errno)
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            var remaining = perFile
            while remaining > 0 {
                for slot in words.indices {
                    state ^= state << 13
                    state ^= state >> 7
                    state ^= state << 17
                    words[slot] = state
                }
                let chunk = words.withUnsafeBytes { Data($0.prefix(remaining)) }
                try handle.write(contentsOf: chunk)
                remaining -= chunk.count
            }
            try handle.close()
            paths.append(path)
        }
        return paths
    }

    private func timeXXHSum(_ paths: [String]) throws -> Double? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/xxhsum") else { return nil }
        let started = Date()
        let status = try runProcess(["/usr/bin/xxhsum", "-H2"] + paths, directory: configuration.directory)
        return status == 0 ? Date().timeIntervalSince(started) : nil
    }

    private func runProcess(_ arguments: [String], directory: String) throws -> Int32 {
        let child = try ChildProcess.spawn(arguments: arguments, environment: ProcessInfo.processInfo.environment, directory: directory,
                                           stdout: "/dev/null", stderr: configuration.directory + "/.bench-stderr.log")
        return child.wait()
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
