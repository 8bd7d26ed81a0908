import Charts
import EngineCore
import Foundation

/// Writes a rendered report to disk.
public enum ReportWriter {
    /// Writes the page of `pipeline` as of `generated` (its artifacts under `root` plus `catalog`'s states, DAG and
    /// lineage), overlaying the experiments of `compare` (other pipelines, the first also in the tables), as `index.html`
    /// and `summary.md` in `directory`; loss curves on a log scale unless `linearLoss`.
    /// - Returns: the paths of `index.html` and `summary.md`.
    public static func write(_ pipeline: Pipeline, catalog: ReportCatalogView, root: URL, generated: Date, compare: [Pipeline] = [],
                             linearLoss: Bool = false, to directory: URL) throws -> (html: URL, summary: URL, figures: [ChartData]) {
        var document = ReportDocument.page(pipeline, catalog: catalog, root: root, generated: generated)
        let others = compare.map { (name: $0.experiment, artifacts: ReportArtifacts(sources: ExperimentSources.sources($0, workspace: root))) }
        document.comparison = others.first
        document.moreComparisons = Array(others.dropFirst())
        document.logLoss = !linearLoss
        let html = directory.appendingPathComponent("index.html")
        let summary = directory.appendingPathComponent("summary.md")
        try write(document, html: html, summary: summary)
        return (html, summary, document.figures.charts)
    }

    /// Writes `document` as HTML at `html` and Markdown at `summary` (either may be nil), creating directories.
    static func write(_ document: ReportDocument, html: URL?, summary: URL?) throws {
        for (url, text) in [(html, document.html()), (summary, document.markdown())] {
            guard let url else { continue }
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch {
                throw ReportError.cannotWrite(path: url.path, reason: error.localizedDescription)
            }
        }
    }
}

/// What can go wrong producing a report or a diff, with what to do about it.
public enum ReportError: Error, CustomStringConvertible {
    /// An output file could not be written.
    case cannotWrite(path: String, reason: String)
    /// A diff or report operand names nothing the catalog or workspace knows.
    case unknownTarget(String, hint: String)

    /// One line naming the problem and the fix.
    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return "cannot write \(path): \(reason); check the directory exists and is writable"
        case let .unknownTarget(target, hint): return "'\(target)' is not a run id, node@run or experiment: \(hint)"
        }
    }
}
