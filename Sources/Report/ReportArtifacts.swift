import EngineCore
import Foundation
import Stages
import Training

/// Everything the artifact-derived sections of a report show, read tolerantly from disk.
struct ReportArtifacts {
    /// `sft_eval.json` (format owned by the `sft` stage; read as generic JSON).
    var sftEval: Loaded<JSONValue> = .absent("no sft_eval artifact")
    /// `rm_eval.json` (format owned by the `reward_model` stage; read as generic JSON).
    var rmEval: Loaded<JSONValue> = .absent("no rm_eval artifact")
    /// `ppo_train_metrics.jsonl`, one decoded line per iteration (diagnostics included when the lines have them).
    var ppoMetrics: Loaded<[PPOIterationMetrics]> = .absent("no ppo_train_metrics artifact")
    /// The held-out lines of `ppo_train_metrics.jsonl` (`"type": "heldout"`), in file order.
    var ppoHeldout: Loaded<[PPOHeldoutMetrics]> = .absent("no ppo_train_metrics artifact")
    /// `final_eval.json`.
    var finalEval: Loaded<FinalEvaluation> = .absent("no final_eval artifact")
    /// `base_probe.md`, as text.
    var baseProbe: Loaded<String> = .absent("no base_probe artifact")
    /// Gate verdicts by gate node (or role) name.
    var gates: [(name: String, report: Loaded<GateReport>)] = []
    /// `generation_probe.jsonl` lines by model role (base, sft, policy, …).
    var probes: [(name: String, lines: Loaded<[JSONValue]>)] = []
    /// The `evaluate.aggregate` summary of a replicated experiment (absent when it is not replicated).
    var seedAggregate: Loaded<SeedAggregate> = .absent("not replicated over seeds")

    /// An empty set: every section says its artifact is missing.
    init() {}

    /// Reads one artifact per `source`; a source without a file marks its section "not built".
    init(sources: [ReportSource]) {
        for source in sources { add(source) }
    }

    /// Files a source under its section, by role name first and file name second.
    mutating func add(_ source: ReportSource) {
        guard let url = source.url, FileManager.default.fileExists(atPath: url.path) else {
            record(source.role, fileName: source.displayPath, missing: "not built: node \(source.node ?? source.role) has no \(source.displayPath) yet")
            return
        }
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
            for name in names where ReportSection(role: "", fileName: name) != nil {
                var inner = source
                inner.url = url.appendingPathComponent(name)
                inner.displayPath = source.displayPath + "/" + name
                add(inner)
            }
            return
        }
        guard let section = ReportSection(role: source.role, fileName: url.lastPathComponent) else { return }
        let origin = ArtifactOrigin(path: source.displayPath, hash: source.hash, node: source.node)
        switch section {
        case .sftEval: sftEval = ArtifactReader.json(url, origin)
        case .rmEval: rmEval = ArtifactReader.json(url, origin)
        case .ppoMetrics:
            let lines = ArtifactReader.jsonLines(url, origin, as: PPOMetricsFileLine.self)
            ppoMetrics = lines.map { $0.compactMap(\.iteration) }
            ppoHeldout = lines.map { $0.compactMap(\.heldout) }
        case .finalEval: finalEval = ArtifactReader.decoded(url, origin, as: FinalEvaluation.self)
        case .baseProbe: baseProbe = ArtifactReader.text(url, origin)
        case .gate: gates.append((source.node ?? source.role, ArtifactReader.decoded(url, origin, as: GateReport.self)))
        case .probe: probes.append((Self.probeName(source), ArtifactReader.jsonValues(url, origin)))
        case .seedAggregate: seedAggregate = ArtifactReader.decoded(url, origin, as: SeedAggregate.self)
        }
    }

    private mutating func record(_ role: String, fileName: String, missing text: String) {
        switch ReportSection(role: role, fileName: (fileName as NSString).lastPathComponent) {
        case .sftEval?: sftEval = .absent(text)
        case .rmEval?: rmEval = .absent(text)
        case .ppoMetrics?:
            ppoMetrics = .absent(text)
            ppoHeldout = .absent(text)
        case .finalEval?: finalEval = .absent(text)
        case .baseProbe?: baseProbe = .absent(text)
        case .gate?: gates.append((role, .absent(text)))
        case .probe?: probes.append((role, .absent(text)))
        case .seedAggregate?: seedAggregate = .absent(text)
        case nil: break
        }
    }

    private static func probeName(_ source: ReportSource) -> String {
        let role = source.role.replacingOccurrences(of: "_probe", with: "").replacingOccurrences(of: "probe_", with: "")
        return role.isEmpty || role == "probe" ? (source.node ?? "probe") : role
    }
}

/// Which report section an artifact feeds.
enum ReportSection: Equatable {
    /// SFT loss curves and figures.
    case sftEval
    /// Reward-model accuracy, margin and calibration.
    case rmEval
    /// PPO per-iteration metrics.
    case ppoMetrics
    /// Final evaluation.
    case finalEval
    /// The base probe's Markdown report.
    case baseProbe
    /// A gate verdict.
    case gate
    /// Generations of one model on the probe prompts.
    case probe
    /// The aggregate evaluation across replicated seeds.
    case seedAggregate

    /// The section for input `role` holding file `fileName`: role conventions first
    /// (`sft_eval`, `rm_eval`, `ppo_metrics`, `final_eval`, `base_probe`, `gate*`, `*probe*`, `seed_aggregate`), then the file name.
    init?(role: String, fileName: String) {
        let role = role.lowercased()
        switch true {
        case role == ExperimentSources.seedAggregateRole: self = .seedAggregate
        case role == "sft_eval" || fileName == "sft_eval.json": self = .sftEval
        case role == "rm_eval" || fileName == "rm_eval.json": self = .rmEval
        case role == "ppo_metrics" || fileName == "ppo_train_metrics.jsonl": self = .ppoMetrics
        case role == "final_eval" || fileName == "final_eval.json": self = .finalEval
        case role == "base_probe" || fileName == "base_probe.md": self = .baseProbe
        case role.hasPrefix("gate") || fileName == "verdict" || fileName.hasSuffix("verdict.json"): self = .gate
        case role.contains("probe") || fileName == "generation_probe.jsonl": self = .probe
        default: return nil
        }
    }
}

/// One artifact the report takes: role, producing node, path and hash (nil url: never built).
package struct ReportSource: Sendable {
    /// Input role or section name (`sft_eval`, `gate_rm`, `policy_probe`, …).
    package var role: String
    /// The producing node, when known.
    package var node: String?
    /// The file or directory (nil when the node has not produced it).
    package var url: URL?
    /// Workspace-relative path for display.
    package var displayPath: String
    /// Content hash hex, when known.
    package var hash: String?

    /// A source with every field.
    package init(role: String, node: String?, url: URL?, displayPath: String, hash: String?) {
        self.role = role
        self.node = node
        self.url = url
        self.displayPath = displayPath
        self.hash = hash
    }
}
