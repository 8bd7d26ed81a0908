import EngineCore
import Foundation
import S3

extension RemoteNodeSpec {
    /// What a worker without the driver's file system pulls from the content cache.
    public struct CacheTransfer: Codable, Sendable, Equatable {
        /// Input role → its object in the cache (`cas/<sha256>`, verified on download).
        public var inputs: [String: RemoteCacheEntry.Output]
    }
}

/// Nodes on workers that share no file system with the driver (Ray, cloud), through the content cache:
/// - driver: `uploadInputs` pushes the node's inputs to `cas/`; `publish(spec:id:)` writes the spec (with those
///   references in `spec.cache`) to `runs/<id>/spec.json` and returns its `s3://` URL, which the job runs as
///   `rlhf run-node s3://bucket/prefix/runs/<id>/spec.json`;
/// - worker (`RemoteCacheWorker.run`): reads the spec, pulls and verifies the inputs by hash into a private store,
///   runs the stage in a local run directory, pushes the outputs to `cas/` and writes `runs/<id>/result.json` last,
///   with each output's SHA-256;
/// - driver: `result(id:)` polls for the result, `downloadOutputs(of:into:)` brings the outputs back verified (then
///   `NodeRunJob.collect` ingests them as for a shared file system), `removeRun(id:)` deletes spec and result.
/// Only the driver writes the catalog and `ac/` entries; the worker writes `cas/` objects and its result file.
extension RemoteCache {
    /// The key of file `name` of remote run `id`.
    func runKey(_ id: String, _ name: String) -> String { settings.location.key("runs/\(id)/\(name)") }

    /// Driver: pushes every input's artifact (from its workspace path) to `cas/`; returns the references for `RemoteNodeSpec.cache`.
    func uploadInputs(_ inputs: [FinishedRun.Input], workspace: Workspace) throws -> RemoteNodeSpec.CacheTransfer {
        var references: [String: RemoteCacheEntry.Output] = [:]
        var report = PushReport()
        for input in inputs {
            let path = workspace.absolute(input.path)
            var isDirectory = false
            if case .directory = FileHasher.kind(of: path) { isDirectory = true }
            let sha256 = try pushObject(at: path, isDirectory: isDirectory, report: &report)
            references[input.role] = RemoteCacheEntry.Output(name: input.role, hash: input.hash.hex, size: FileSystem.treeSize(path), isDirectory: isDirectory, sha256: sha256)
        }
        return RemoteNodeSpec.CacheTransfer(inputs: references)
    }

    /// Driver: writes `spec` as `runs/<id>/spec.json`; returns the URL the worker runs (`rlhf run-node URL`).
    func publish(spec: RemoteNodeSpec, id: String) throws -> String {
        try client.put(runKey(id, "spec.json"), data: try CacheJSON.encode(spec))
        return "s3://\(settings.location.bucket)/\(runKey(id, "spec.json"))"
    }

    /// Driver: the result the worker of run `id` wrote, nil while there is none (or it is unreadable).
    func result(id: String) throws -> RemoteNodeResult? {
        guard let data = try client.get(runKey(id, "result.json")) else { return nil }
        return try? JSONDecoder().decode(RemoteNodeResult.self, from: data)
    }

    /// Driver: downloads every output of `result` (verified by SHA-256 and XXH3) to `directory/<output name>`, where
    /// `NodeRunJob.collect` takes them as a worker's outputs on a shared file system.
    func downloadOutputs(of result: RemoteNodeResult, into directory: String) throws {
        let store = try ContentStore(root: directory + "/.objects")
        defer { try? FileSystem.remove(store.root) }
        try FileSystem.createDirectory(directory + "/.scratch")
        defer { try? FileSystem.remove(directory + "/.scratch") }
        var bytes: Int64 = 0
        for output in result.outputs {
            guard let sha256 = output.sha256 else {
                throw EngineError.stageFailed(node: "?", message: "the worker's result names output '\(output.name)' without a cache object")
            }
            guard let hash = ContentHash(hex: output.hash), S3Checksum.isSHA256(sha256), !output.name.contains("/"), !output.name.hasPrefix(".") else {
                throw EngineError.stageFailed(node: "?", message: "the worker's result names output '\(output.name)' with a malformed hash (\(output.hash), \(sha256))")
            }
            let reference = RemoteCacheEntry.Output(name: output.name, hash: output.hash, size: output.size, isDirectory: output.isDirectory, sha256: sha256)
            if let problem = try bring(reference, into: store, scratch: directory + "/.scratch", bytes: &bytes) {
                throw EngineError.stageFailed(node: "?", message: "output '\(output.name)' from the cache: \(problem.reason)")
            }
            try FileSystem.rename(store.path(of: hash), to: directory + "/" + output.name)
        }
    }

    /// Driver: deletes the spec and result of run `id`.
    func removeRun(id: String) {
        try? client.delete(runKey(id, "result.json"))
        try? client.delete(runKey(id, "spec.json"))
    }
}

/// The worker side of a node whose spec lives in the content cache (`rlhf run-node s3://…/runs/<id>/spec.json`).
public enum RemoteCacheWorker {
    /// Runs the node of the spec at `url` with `registry`'s kinds; returns the exit status (as `RemoteWorker.run`).
    /// Endpoint and credentials come from this process's environment and AWS files.
    public static func run(specURL url: String, registry: StageRegistry, rlhfVersion: String) -> Int32 {
        do {
            guard url.hasSuffix("/spec.json"), let runs = url.range(of: "/runs/", options: .backwards) else {
                throw S3Error.invalidURL(url, problem: "a cached node spec looks like s3://bucket/prefix/runs/<id>/spec.json")
            }
            let id = String(url[runs.upperBound...].dropLast("/spec.json".count))
            let settings = RemoteCacheSettings(location: try S3Location(parsing: String(url[..<runs.lowerBound])), mode: .readwrite,
                                               rlhfVersion: rlhfVersion, configuration: try S3Configuration.resolve())
            let cache = RemoteCache(settings: settings)
            guard let data = try cache.client.get(cache.runKey(id, "spec.json")) else {
                throw EngineError.notFound(what: "node spec \(url)", hint: "the driver publishes it before submitting; is the cache URL right?")
            }
            let spec = try JSONDecoder().decode(RemoteNodeSpec.self, from: data)
            return try run(spec, id: id, cache: cache, registry: registry)
        } catch {
            FileHandle.standardError.write(Data("rlhf run-node: \(error)\n".utf8))
            return 2
        }
    }

    /// Pulls the inputs into a private store, runs the node in a local run directory, pushes the outputs and writes the result.
    private static func run(_ cached: RemoteNodeSpec, id: String, cache: RemoteCache, registry: StageRegistry) throws -> Int32 {
        let directory = FileManager.default.temporaryDirectory.path + "/rlhf-run-\(id)-\(getpid())"
        try FileSystem.createDirectory(directory + "/scratch-pull")
        defer { try? FileSystem.remove(directory) }
        let store = try ContentStore(root: directory + "/inputs")
        var spec = cached
        var bytes: Int64 = 0
        for (role, reference) in cached.cache?.inputs ?? [:] {
            guard let hash = ContentHash(hex: reference.hash), S3Checksum.isSHA256(reference.sha256) else {
                throw EngineError.stageFailed(node: spec.node, message: "input '\(role)' of the spec names a malformed hash (\(reference.hash), \(reference.sha256))")
            }
            if let problem = try cache.bring(reference, into: store, scratch: directory + "/scratch-pull", bytes: &bytes) {
                throw EngineError.stageFailed(node: spec.node, message: "input '\(role)' from the cache: \(problem.reason)")
            }
            // Under the file name it has on the driver (a stage may record it, e.g. pretrain's "on the corpus corpus.txt"),
            // so outputs match a shared file system's byte for byte. Moved out of the store: a second role with the
            // same object downloads it again.
            let name = cached.inputs[role].map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
            guard !role.isEmpty, !role.contains("/"), !role.hasPrefix(".") else {
                throw EngineError.stageFailed(node: spec.node, message: "the spec names an input role '\(role)' that is not a plain name")
            }
            let path = directory + "/in/\(role)/" + (name.isEmpty || name == "." || name == ".." || name == "/" ? hash.hex : name)
            try FileSystem.createDirectory(FileSystem.parent(of: path))
            try FileSystem.rename(store.path(of: hash), to: path)
            spec.inputs[role] = path
        }
        spec.outputs = Dictionary(uniqueKeysWithValues: cached.outputs.keys.map { ($0, directory + "/out/" + $0) })
        spec.scratch = directory + "/scratch"
        spec.result = directory + "/result.json"
        spec.cache = nil
        // An empty workspace (the driver's `--remote-data cache`) or one this machine lacks: commands run in the run directory.
        if spec.workspace.isEmpty { spec.workspace = directory } else if case .directory = FileHasher.kind(of: spec.workspace) {} else { spec.workspace = directory }
        try FileSystem.createDirectory(directory + "/out")
        let specPath = directory + "/spec.json"
        guard FileManager.default.createFile(atPath: specPath, contents: try CacheJSON.encode(spec)) else {
            throw EngineError.io(path: specPath, operation: "write node spec", errno: errno)
        }
        _ = RemoteWorker.run(specPath: specPath, registry: registry)
        guard var result = RemoteNodeResult.read(spec.result) else {
            throw EngineError.stageFailed(node: spec.node, message: "the node wrote no result")
        }
        if result.exitStatus == 0 {
            var report = RemoteCache.PushReport()
            do {
                for index in result.outputs.indices {
                    result.outputs[index].sha256 = try cache.pushObject(at: spec.outputs[result.outputs[index].name]!, isDirectory: result.outputs[index].isDirectory, report: &report)
                }
            } catch {
                result.exitStatus = 2
                result.error = "pushing the outputs to \(cache.settings.location) failed: \(error)"
            }
        }
        try cache.client.put(cache.runKey(id, "result.json"), data: try CacheJSON.encode(result))
        return result.exitStatus
    }
}
