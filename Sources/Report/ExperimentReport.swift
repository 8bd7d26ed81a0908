import Engine
import EngineCore
import Foundation

/// The full report of one experiment — artifact sections plus node states, DAG and lineage — written as
/// `index.html` and `summary.md`. `rlhf report` renders it as of now; the `report` node renders it
/// inside a build from its catalog view.
public struct ExperimentReport {
    /// The workspace whose catalog and files are read.
    public var workspace: Workspace
    /// The experiment's pipeline.
    public var pipeline: Pipeline
    /// Kinds, for planning.
    public var registry: StageRegistry

    /// Creates a report of `pipeline` over `workspace`.
    public init(workspace: Workspace, pipeline: Pipeline, registry: StageRegistry) {
        self.workspace = workspace
        self.pipeline = pipeline
        self.registry = registry
    }

    /// Renders the report as of now, overlaying `compare` (another experiment's pipeline) when given, into `directory`.
    /// - Returns: the paths of `index.html` and `summary.md`.
    @discardableResult
    public func write(to directory: URL, compare: Pipeline? = nil, now: Date = Date()) throws -> (html: URL, summary: URL) {
        let view = try CatalogViewBuilder(workspace: workspace, pipeline: pipeline, registry: registry).build()
        var document = Self.document(pipeline, catalog: view, root: workspace.root, generated: now)
        if let compare {
            document.comparison = (compare.experiment, ReportArtifacts(sources: ExperimentSources.sources(compare, workspace: workspace.root)))
        }
        let html = directory.appendingPathComponent("index.html")
        let summary = directory.appendingPathComponent("summary.md")
        try ReportWriter.write(document, html: html, summary: summary)
        return (html, summary)
    }

    /// The page of `pipeline`: the artifacts of the nodes in `shown` (every node when nil) read from
    /// `root`, with the hashes `catalog` knows, plus `catalog`'s states, DAG and lineage.
    static func document(_ pipeline: Pipeline, catalog: ReportCatalogView, root: URL, generated: Date, shown: Set<String>? = nil) -> ReportDocument {
        let hashes = Dictionary(catalog.nodes.flatMap { node in
            node.outputs.compactMap { output in pipeline.nodes[node.name]?.outputs[output.name].map { ($0, output.hash) } }
        }, uniquingKeysWith: { a, _ in a })
        let sources = ExperimentSources.sources(pipeline, workspace: root, hashes: hashes).filter { source in
            shown.map { $0.contains(source.node ?? "") } ?? true
        }
        return ReportDocument(experiment: pipeline.experiment, generated: generated, artifacts: ReportArtifacts(sources: sources), catalog: catalog)
    }
}
