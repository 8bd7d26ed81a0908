import EngineCore
import Foundation
import Stages

/// The `report` node kind: renders the same full page as `rlhf report` (`index.html` and `summary.md`,
/// by default at `reports/<experiment>/`) from the catalog view the engine gives it.
///
/// The page shows the nodes upstream of the report: their artifacts (read from their paths, which
/// hold the runs the view names), states in this build, runs, the DAG and lineage. The view's
/// facts (pipeline hash, upstream run ids, overrides) are in the node key, so the report reruns
/// exactly when something it shows changed, and a build that changes nothing leaves it up to date.
/// Input roles prefixed `compare_` are not shown as its own: they feed the overlay of another
/// experiment (named by `compare_name`); the other inputs only say what the report stands on.
struct ReportKind: StageKind {
    /// Kind name.
    let name = "report"
    /// Implementation version (4: summary.md lists each win-rate comparison once; 3: RM and gold in panels, log-scale losses, PPO diagnostics, reward vs length over every
    /// response, side-by-side samples, the base probe rendered; 2: the full page from the catalog view).
    let version = 4
    /// Renders the report page.
    let summary = "the experiment report page (index.html and summary.md) from the catalog view of the nodes upstream"
    /// Any role names are accepted (see the type comment for their meaning).
    var inputs: [InputSpec]? { nil }
    /// `html` (`index.html`) and `summary` (`summary.md`).
    var outputs: [String]? { ["html", "summary"] }
    /// The report shows node states, runs and lineage.
    var readsCatalog: Bool { true }
    /// Declared params.
    var params: [ParamSpec] {
        [
            ParamSpec("experiment", .string, default: .derived("the pipeline's experiment"), summary: "title of the report (default: the pipeline's experiment)"),
            ParamSpec("compare_name", .string, default: .value(.string("compared")), summary: "name of the experiment the compare_* inputs come from"),
        ]
    }

    /// `reports/<experiment>/index.html` and `reports/<experiment>/summary.md`.
    func defaultPath(output: String, node: String, experiment: String) -> String {
        "reports/\(experiment)/" + (output == "html" ? "index.html" : "summary.md")
    }

    /// Renders the page from the catalog view and the upstream artifacts, and writes both outputs.
    func run(_ context: StageContext) throws {
        guard let view = context.catalog else {
            throw StagesError.invalidInputs(node: context.node, message: "the report kind needs the catalog view the engine gives it; build it with `rlhf build`")
        }
        let pipeline = view.pipeline
        let ownRoots = (pipeline.nodes[view.viewer]?.inputs ?? [:]).filter { !$0.key.hasPrefix("compare_") }.map { $0.value.node }
            + (pipeline.nodes[view.viewer]?.after ?? [])
        let shown = Set(pipeline.closure(of: ownRoots))
        let generated = view.runs.values.map(\.detail.run.finished).max().map { Date(timeIntervalSince1970: $0) } ?? Date(timeIntervalSince1970: 0)
        var document = ReportDocument.page(pipeline, catalog: ReportCatalogView(build: view, root: context.workspace),
                                               root: context.workspace, generated: generated, shown: shown)
        document.experiment = context.params["experiment"]?.stringValue ?? pipeline.experiment
        let compared = context.inputs.filter { $0.key.hasPrefix("compare_") }.sorted { $0.key < $1.key }.map { input -> ReportSource in
            let plain = String(input.key.dropFirst("compare_".count))
            return ReportSource(role: plain, node: plain, url: input.value, displayPath: context.displayPath(input.value),
                                hash: (try? FileHasher().hash(path: input.value.path))??.hex)
        }
        if !compared.isEmpty {
            document.comparison = (context.params["compare_name"]?.stringValue ?? "compared", ReportArtifacts(sources: compared))
        }
        try ReportWriter.write(document, html: context.outputs["html"], summary: context.outputs["summary"])
    }
}

/// The report node kinds (part of `StageKinds.all`).
public let reportStageKinds: [any StageKind] = [ReportKind()]
