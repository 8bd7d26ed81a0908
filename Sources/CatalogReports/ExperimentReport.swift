import Charts
import Engine
import EngineCore
import Foundation
import Report

/// The full report of one experiment — artifact sections plus node states, DAG and lineage — written as
/// `index.html` and `summary.md`, as of now for `rlhf report`; the `report` node (Report module) renders the
/// same page inside a build from its catalog view.
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

    /// Renders the report as of now, overlaying the experiments of `compare` (other pipelines), into `directory`;
    /// loss curves on a log scale unless `linearLoss`.
    /// - Returns: the paths of `index.html` and `summary.md`, and the data of every chart on the page.
    @discardableResult
    public func write(to directory: URL, compare: [Pipeline] = [], linearLoss: Bool = false, now: Date = Date()) throws -> (html: URL, summary: URL, figures: [ChartData]) {
        let view = try CatalogViewBuilder(workspace: workspace, pipeline: pipeline, registry: registry).build()
        return try ReportWriter.write(pipeline, catalog: view, root: workspace.root, generated: now, compare: compare, linearLoss: linearLoss, to: directory)
    }
}

/// `rlhf report --json`: where the page went and the figures it draws.
public struct ReportOutput: Encodable {
    /// The HTML page.
    public var html: String
    /// The Markdown summary.
    public var summary: String
    /// Every chart on the page, in page order.
    public var figures: [ChartData]

    /// Creates the output.
    public init(html: String, summary: String, figures: [ChartData]) {
        self.html = html
        self.summary = summary
        self.figures = figures
    }
}
