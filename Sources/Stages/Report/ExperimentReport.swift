import Engine
import Foundation

/// `rlhf report`: the full report of one experiment — artifact sections plus the catalog's node states,
/// DAG and lineage — written as `index.html` and `summary.md`.
public struct ExperimentReport {
    /// The workspace whose catalog and files are read.
    public var workspace: Workspace
    /// The experiment's pipeline.
    public var pipeline: Pipeline
    /// The pipeline file (its bytes give the pipeline hash).
    public var pipelinePath: String
    /// Kinds, for planning.
    public var registry: StageRegistry

    /// Creates a report of `pipeline` over `workspace`.
    public init(workspace: Workspace, pipeline: Pipeline, pipelinePath: String, registry: StageRegistry) {
        self.workspace = workspace
        self.pipeline = pipeline
        self.pipelinePath = pipelinePath
        self.registry = registry
    }

    /// Renders the report, overlaying `compare` (another experiment's pipeline) when given, into `directory`.
    /// - Returns: the paths of `index.html` and `summary.md`.
    @discardableResult
    public func write(to directory: URL, compare: Pipeline? = nil, now: Date = Date()) throws -> (html: URL, summary: URL) {
        let view = try CatalogViewBuilder(workspace: workspace, pipeline: pipeline, registry: registry).build(pipelinePath: pipelinePath)
        let hashes = Dictionary(view.nodes.flatMap { node in
            node.outputs.compactMap { output in pipeline.nodes[node.name]?.outputs[output.name].map { ($0, output.hash) } }
        }, uniquingKeysWith: { a, _ in a })
        var document = ReportDocument(experiment: pipeline.experiment, generated: now,
                                      artifacts: ReportArtifacts(sources: ExperimentSources.sources(pipeline, workspace: workspace.root, hashes: hashes)),
                                      catalog: view)
        if let compare {
            document.comparison = (compare.experiment, ReportArtifacts(sources: ExperimentSources.sources(compare, workspace: workspace.root)))
        }
        let html = directory.appendingPathComponent("index.html")
        let summary = directory.appendingPathComponent("summary.md")
        try ReportWriter.write(document, html: html, summary: summary)
        return (html, summary)
    }
}
