import ArgumentParser
import Engine
import Foundation

/// `rlhf run-node SPEC`: what a Slurm or Ray worker runs for one node; the driver wrote SPEC.
struct RunNodeCommand: ParsableCommand {
    /// Command name and abstract.
    static let configuration = CommandConfiguration(commandName: "run-node",
                                                    abstract: "Run one node on a worker from its spec file and write its result file (used by executor backends).")

    /// The spec file.
    @Argument(help: "The node spec written by the driver: run directory/spec.json, or s3://bucket/prefix/runs/<id>/spec.json on a worker without the driver's file system (inputs are pulled from the cache, outputs pushed there).")
    var spec: String

    /// Runs the node; the exit status is the node's.
    func run() throws {
        let status = spec.hasPrefix("s3://") ? RemoteCacheWorker.run(specURL: spec, registry: KindRegistry.all, rlhfVersion: BuildInfo.version)
            : RemoteWorker.run(specPath: spec, registry: KindRegistry.all)
        if status != 0 { throw ExitCode(status) }
    }
}
