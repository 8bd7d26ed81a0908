import Engine
import EngineCore
import Foundation
import Report

/// Builds the catalog part of `rlhf report` as of now: each node's planned state, run and hashes, overrides, lineage.
struct CatalogViewBuilder {
    /// The workspace.
    var workspace: Workspace
    /// The experiment.
    var pipeline: Pipeline
    /// Kinds, for planning.
    var registry: StageRegistry

    /// The view as of now.
    func build() throws -> ReportCatalogView {
        let plan = try Executor(workspace: workspace, pipeline: pipeline, registry: registry, output: { _ in }).plan()
        let heads = try workspace.catalog.heads(experiment: pipeline.experiment)
        let hasher = FileHasher()
        var failedGates: Set<String> = []
        var standings: [String: NodeStanding] = [:]
        for name in pipeline.order {
            guard let node = pipeline.nodes[name], let entry = plan[name] else { continue }
            let run = currentRun(node, hasher: hasher) ?? heads[name].map(\.runId)
            if (node.kind.hasPrefix("gate.") && heads[name]?.gateFailed == true) || ReportCatalogView.verdictFails(node, root: workspace.root) { failedGates.insert(name) }
            var standing = NodeStanding(state: "stale", runId: run)
            switch entry.decision {
            case .upToDate:
                let current = run.flatMap { try? workspace.catalog.detail(run: $0) }
                standing.state = current?.run.status == "reused" ? "reused" : "built"
                standing.current = current
            case let .reuse(runId):
                standing.detail = "would reuse run \(runId)"
            case let .run(reason):
                standing.state = reason == .neverBuilt ? "never built" : "stale"
                standing.detail = reason == .neverBuilt ? nil : reason.description
            case let .blocked(gate):
                standing.state = "blocked"
                standing.detail = "by \(gate)"
            }
            if standing.state == "stale" || standing.state == "never built", let gate = blockingGate(name, failedGates) {
                standing.state = "blocked"
                standing.detail = "by \(gate)"
            }
            standings[name] = standing
        }
        return ReportCatalogView(pipeline: pipeline, standings: standings, failedGates: failedGates, root: workspace.root)
    }

    /// The run that produced what the node's first output path holds now (experiment-specific, unlike heads).
    private func currentRun(_ node: Node, hasher: FileHasher) -> Int64? {
        for (_, path) in node.outputs.sorted(by: { $0.key < $1.key }) {
            guard let hash = try? hasher.hash(path: workspace.absolute(path)) else { continue }
            if let run = try? workspace.catalog.producer(ofArtifact: hash.hex, path: path) { return run }
        }
        return nil
    }

    /// The first failed gate above `name`, if any.
    private func blockingGate(_ name: String, _ failed: Set<String>) -> String? {
        pipeline.closure(of: [name]).first { $0 != name && failed.contains($0) }
    }
}
