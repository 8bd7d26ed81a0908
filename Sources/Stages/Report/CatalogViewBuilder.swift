import Engine
import Foundation

/// Builds the catalog-derived part of a report: each node's state, run and hashes, overrides, lineage.
struct CatalogViewBuilder {
    /// The workspace.
    var workspace: Workspace
    /// The experiment.
    var pipeline: Pipeline
    /// Kinds, for planning.
    var registry: StageRegistry

    /// The view as of now.
    func build(pipelinePath: String) throws -> ReportCatalogView {
        let plan = try Executor(workspace: workspace, pipeline: pipeline, registry: registry, output: { _ in }).plan()
        let heads = try workspace.catalog.heads(experiment: pipeline.experiment)
        let hasher = FileHasher()
        var runOf: [String: Int64] = [:]
        var failedGates: Set<String> = []
        var nodes: [ReportCatalogView.NodeState] = []
        for name in pipeline.order {
            guard let node = pipeline.nodes[name], let entry = plan[name] else { continue }
            let run = currentRun(node, hasher: hasher) ?? heads[name].map(\.runId)
            let head = heads[name]
            if (node.kind.hasPrefix("gate.") && head?.gateFailed == true) || Self.verdictFails(node, workspace) { failedGates.insert(name) }
            var state: String
            var detail: String?
            var outputs: [(name: String, hash: String)] = []
            switch entry.decision {
            case .upToDate:
                let status = run.flatMap { try? workspace.catalog.detail(run: $0).run.status }
                state = status == "reused" ? "reused" : "built"
                runOf[name] = run
                outputs = (entry.outputs ?? head?.outputs ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value.hex) }
            case let .reuse(runId):
                state = "stale"
                detail = "would reuse run \(runId)"
            case let .run(reason):
                state = reason == .neverBuilt ? "never built" : "stale"
                detail = reason == .neverBuilt ? nil : reason.description
            case let .blocked(gate):
                state = "blocked"
                detail = "by \(gate)"
            }
            if state == "stale" || state == "never built", let gate = blockingGate(name, failedGates) {
                state = "blocked"
                detail = "by \(gate)"
            }
            nodes.append(.init(name: name, kind: node.kind, state: state, detail: detail, runId: run,
                               outputs: outputs, upstream: node.dependencies))
        }
        let recorded = Set(runOf.values.flatMap { run in (try? workspace.catalog.detail(run: run).overrides.map(\.gateNode)) ?? [] })
        let overridden = recorded.union(failedGates.filter { gate in pipeline.downstream(of: [gate]).contains { $0 != gate && runOf[$0] != nil } })
        let bytes = (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: pipelinePath)))) ?? []
        return ReportCatalogView(pipelineHash: ContentHash.of(bytes: bytes).hex, nodes: nodes,
                                 lineage: LineageWords(workspace: workspace, pipeline: pipeline, runs: runOf, overridden: overridden).sentences(),
                                 overriddenGates: overridden)
    }

    /// The run that produced what the node's first output path holds now (experiment-specific, unlike heads).
    private func currentRun(_ node: Node, hasher: FileHasher) -> Int64? {
        for (_, path) in node.outputs.sorted(by: { $0.key < $1.key }) {
            guard let hash = try? hasher.hash(path: workspace.absolute(path)) else { continue }
            if let run = try? workspace.catalog.producer(ofArtifact: hash.hex, path: path) { return run }
        }
        return nil
    }

    /// Whether the node's `verdict` output on disk is a failed, blocking gate verdict (for gates the catalog did not record).
    private static func verdictFails(_ node: Node, _ workspace: Workspace) -> Bool {
        guard let path = node.outputs["verdict"],
              let data = FileManager.default.contents(atPath: workspace.absolute(path)),
              let report = try? JSONDecoder().decode(GateReport.self, from: data) else { return false }
        return report.status == .fail && report.severity == "error"
    }

    /// The first failed gate above `name`, if any.
    private func blockingGate(_ name: String, _ failed: Set<String>) -> String? {
        pipeline.closure(of: [name]).first { $0 != name && failed.contains($0) }
    }
}
