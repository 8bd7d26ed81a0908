import Charts
import EngineCore
import Foundation

/// One experiment's evaluation report: artifact-derived sections, plus catalog-derived ones when available.
struct ReportDocument {
    /// Experiment name.
    var experiment: String
    /// The moment the page shows (`rlhf report`: when rendered; a `report` node: when its newest upstream run finished).
    var generated: Date
    /// The artifacts it shows.
    var artifacts: ReportArtifacts
    /// Node states, hashes and lineage (nil for a page of artifacts only).
    var catalog: ReportCatalogView? = nil
    /// Another experiment to overlay on the charts.
    var comparison: (name: String, artifacts: ReportArtifacts)? = nil
    /// Further experiments to overlay (`report --compare a,b`): on the SFT, reward-model, PPO and length charts.
    var moreComparisons: [(name: String, artifacts: ReportArtifacts)] = []
    /// Whether loss curves use a logarithmic y axis (the default) or a linear one.
    var logLoss = true
    /// The data of every chart `html()` drew, in page order.
    let figures = FigureLog()

    /// Every compared experiment, the first (`comparison`) first.
    var compared: [(name: String, artifacts: ReportArtifacts)] {
        (comparison.map { [$0] } ?? []) + moreComparisons
    }

    /// The whole report as one self-contained XHTML document.
    func html() -> String {
        var body = header()
        body += headline()
        body += seedsSection()
        if let catalog { body += dagSection(catalog) }
        body += gatesSection()
        body += sftSection()
        body += rewardModelSection()
        body += ppoSection()
        if let catalog, !catalog.commandMetrics.isEmpty { body += outsideTrainersSection(catalog) }
        body += finalSection()
        body += overOptimisationSection()
        body += samplesSection()
        body += lineageSection()
        return """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>\
        <meta name="viewport" content="width=device-width, initial-scale=1"/>\
        <title>\(Markup.escape("RLHF report: \(experiment)"))</title><style>
        \(ReportStyle.css)
        </style></head><body>
        \(body)
        </body></html>

        """
    }

    /// A `<section>` with an id and a heading.
    func section(_ id: String, _ title: String, _ content: String) -> String {
        "<section id=\"\(id)\"><h2>\(Markup.escape(title))</h2>\n\(content)</section>\n"
    }

    /// The paragraph shown instead of a section whose artifact is missing or unreadable.
    func unavailable<T>(_ loaded: Loaded<T>) -> String {
        switch loaded {
        case let .absent(text): return "<p class=\"missing\">\(Markup.escape(text)).</p>\n"
        case let .unreadable(text): return "<p class=\"error\">Cannot read: \(Markup.escape(text)).</p>\n"
        case .value: return ""
        }
    }

    /// A line chart's figure; its data goes to `figures` as well (`rlhf report --json`).
    func figure(_ chart: LineChart, caption: String) -> String {
        figures.append(chart.data(caption: caption))
        return figure(chart.svg(), caption: caption)
    }

    /// A stacked-panel chart's figure; its data goes to `figures` as well.
    func figure(_ chart: PanelChart, caption: String) -> String {
        figures.append(chart.data(caption: caption))
        return figure(chart.svg(), caption: caption)
    }

    /// A bar chart's figure; its data goes to `figures` as well.
    func figure(_ chart: BarChart, caption: String) -> String {
        figures.append(chart.data(caption: caption))
        return figure(chart.svg(), caption: caption)
    }

    /// A figure wrapping a chart's SVG with a caption.
    func figure(_ svg: String, caption: String) -> String {
        "<figure>\(svg)<figcaption>\(Markup.escape(caption))</figcaption></figure>\n"
    }

    /// A table with a header row; cells are pre-escaped HTML, numeric cells right-aligned.
    func table(_ headers: [String], _ rows: [[Cell]], id: String? = nil) -> String {
        var out = "<table\(id.map { " id=\"\($0)\"" } ?? "")><thead><tr>" + headers.map { "<th>\(Markup.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>" + row.map(\.html).joined() + "</tr>"
        }
        return out + "</tbody></table>\n"
    }

    /// "source: path (hash)" under a section.
    func provenance(_ origin: ArtifactOrigin?) -> String {
        guard let origin else { return "" }
        let hash = origin.hash.map { " · <span class=\"hash\">\(String($0.prefix(12)))</span>" } ?? ""
        return "<p class=\"source\"><small>Source: <code>\(Markup.escape(origin.path))</code>\(hash)</small></p>\n"
    }
}

extension ReportDocument {
    /// The page of `pipeline`: the artifacts of the nodes in `shown` (every node when nil) read from
    /// `root`, with the hashes `catalog` knows, plus `catalog`'s states, DAG and lineage.
    static func page(_ pipeline: Pipeline, catalog: ReportCatalogView, root: URL, generated: Date, shown: Set<String>? = nil) -> ReportDocument {
        let hashes = Dictionary(catalog.nodes.flatMap { node in
            node.outputs.compactMap { output in pipeline.nodes[node.name]?.outputs[output.name].map { ($0, output.hash) } }
        }, uniquingKeysWith: { a, _ in a })
        let sources = ExperimentSources.sources(pipeline, workspace: root, hashes: hashes).filter { source in
            shown.map { $0.contains(source.node ?? "") } ?? true
        }
        return ReportDocument(experiment: pipeline.experiment, generated: generated, artifacts: ReportArtifacts(sources: sources), catalog: catalog)
    }
}

/// One table cell.
struct Cell {
    /// The `<td>` markup.
    let html: String

    /// Escaped text.
    static func text(_ text: String) -> Cell { Cell(html: "<td>\(Markup.escape(text))</td>") }
    /// Escaped long text (a prompt or a response), wrapped in a monospace cell.
    static func long(_ text: String) -> Cell { Cell(html: "<td class=\"text\">\(Markup.escape(text))</td>") }
    /// A right-aligned number.
    static func number(_ value: Double?) -> Cell { Cell(html: "<td class=\"num\">\(value.map { Markup.number($0) } ?? "–")</td>") }
    /// A right-aligned signed difference.
    static func delta(_ value: Double?) -> Cell {
        guard let value else { return Cell(html: "<td class=\"num\">–</td>") }
        let sign = value > 0 ? "+" : ""
        return Cell(html: "<td class=\"num\">\(sign)\(Markup.number(value))</td>")
    }
    /// Pre-built markup.
    static func raw(_ html: String) -> Cell { Cell(html: "<td>\(html)</td>") }
}

/// Collects the data of the charts a rendering draws (a reference, so the string-building methods stay non-mutating).
final class FigureLog: @unchecked Sendable {
    /// The charts so far.
    private(set) var charts: [ChartData] = []

    /// Appends one chart.
    func append(_ chart: ChartData) {
        charts.append(chart)
    }
}
