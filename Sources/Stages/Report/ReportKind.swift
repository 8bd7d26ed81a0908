import Engine
import Foundation

/// The `report` node kind: renders the artifacts it takes as inputs into `index.html` and `summary.md`.
///
/// Because the shown artifacts are its inputs, changing any of them reruns the report and nothing
/// else does. Roles name what an input is (`sft_eval`, `rm_eval`, `ppo_metrics`, `final_eval`,
/// `base_probe`, `gate…`, `…probe`); a directory input is searched for the known file names.
/// Roles prefixed `compare_` feed the overlay of another experiment (named by `compare_name`).
/// Node states, run ids and lineage live in the catalog, which stages do not see: `rlhf report`
/// adds those sections.
struct ReportKind: StageKind {
    /// Kind name.
    let name = "report"
    /// Implementation version.
    let version = 1
    /// Any role names are accepted (see the type comment for their meaning).
    var inputs: [InputSpec]? { nil }
    /// `html` (`index.html`) and `summary` (`summary.md`).
    var outputs: [String]? { ["html", "summary"] }
    /// Declared params.
    var params: [ParamSpec] {
        [
            ParamSpec("experiment", .string, summary: "title of the report (default: the node name)"),
            ParamSpec("compare_name", .string, summary: "name of the experiment the compare_* inputs come from"),
        ]
    }

    /// Reads the inputs and writes both outputs.
    func run(_ context: StageContext) throws {
        var own: [ReportSource] = []
        var compared: [ReportSource] = []
        let hasher = FileHasher()
        for (role, url) in context.inputs.sorted(by: { $0.key < $1.key }) {
            let isComparison = role.hasPrefix("compare_")
            let plainRole = isComparison ? String(role.dropFirst("compare_".count)) : role
            let display = Self.relative(url, to: context.workspace)
            let source = ReportSource(role: plainRole, node: plainRole, url: url, displayPath: display, hash: (try? hasher.hash(path: url.path))??.hex)
            if isComparison { compared.append(source) } else { own.append(source) }
        }
        let experiment = context.params["experiment"]?.stringValue ?? context.node
        var document = ReportDocument(experiment: experiment, generated: Self.newestModification(context.inputs.values), artifacts: ReportArtifacts(sources: own))
        if !compared.isEmpty {
            document.comparison = (context.params["compare_name"]?.stringValue ?? "compared", ReportArtifacts(sources: compared))
        }
        try ReportWriter.write(document, html: context.outputs["html"], summary: context.outputs["summary"])
    }

    /// `url`'s path relative to `root`, or the full path when it lies outside.
    static func relative(_ url: URL, to root: URL) -> String {
        let base = root.standardizedFileURL.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }

    /// The newest modification time of `urls` (so the same inputs render the same bytes).
    static func newestModification<S: Sequence>(_ urls: S) -> Date where S.Element == URL {
        urls.compactMap { try? FileManager.default.attributesOfItem(atPath: $0.path)[.modificationDate] as? Date }.max() ?? Date(timeIntervalSince1970: 0)
    }
}

/// The report node kinds (part of `StageKinds.all`).
public let reportStageKinds: [any StageKind] = [ReportKind()]
