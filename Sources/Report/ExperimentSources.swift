import EngineCore
import Foundation

/// Finds the artifacts a report shows among a pipeline's node outputs.
enum ExperimentSources {
    /// The role of an `evaluate.aggregate` summary.
    static let seedAggregateRole = "seed_aggregate"

    /// Which report role a node output plays, from its kind and output name first, its file name second.
    /// - Returns: nil for outputs no section shows (checkpoints, data sets).
    static func role(kind: String, output: String, path: String) -> String? {
        let file = (path as NSString).lastPathComponent
        switch (kind, output) {
        case ("evaluate.aggregate", "summary"): return seedAggregateRole
        case ("evaluate.aggregate", _): return nil
        case ("evaluate", "summary"): return "final_eval"
        case ("evaluate", _): return nil
        case ("ppo", "metrics"): return "ppo_metrics"
        case ("report", _): return nil
        default: break
        }
        if kind.hasPrefix("gate.") { return output == "verdict" ? "gate" : nil }
        if kind == "sft" { return output == "report" || output.contains("eval") ? "sft_eval" : nil }
        if kind == "reward_model" { return output == "report" || output.contains("eval") ? "rm_eval" : nil }
        if kind == "probe" {
            if output == "generations" || file.hasSuffix(".jsonl") { return "probe" }
            return (output == "report" || file.hasSuffix(".md")) && (file.contains("base") || path.contains("base")) ? "base_probe" : nil
        }
        switch ReportSection(role: "", fileName: file) {
        case .sftEval?: return "sft_eval"
        case .rmEval?: return "rm_eval"
        case .ppoMetrics?: return "ppo_metrics"
        case .finalEval?: return "final_eval"
        case .baseProbe?: return "base_probe"
        case .gate?: return "gate"
        case .probe?: return "probe"
        case .seedAggregate?: return seedAggregateRole
        case nil: return nil
        }
    }

    /// Every shown artifact of `pipeline` as it is on disk now (missing files give "not built" sections). Of a replicated
    /// pipeline, the clones of the first seed feed the sections, every seed's gates are listed, and the aggregate shows the spread.
    static func sources(_ pipeline: Pipeline, workspace: URL, hashes: [String: String] = [:]) -> [ReportSource] {
        pipeline.order.compactMap { pipeline.nodes[$0] }.flatMap { node in
            node.outputs.sorted { $0.key < $1.key }.compactMap { output, path -> ReportSource? in
                guard var role = role(kind: node.kind, output: output, path: path) else { return nil }
                if let replica = node.replica, replica.seed != pipeline.seeds.first, role != "gate" { return nil }
                if role == "probe" { role = "\(node.name)_probe" }
                if role == "gate" { role = "gate_\(node.name)" }
                let url = workspace.appendingPathComponent(path)
                return ReportSource(role: role, node: node.name, url: FileManager.default.fileExists(atPath: url.path) ? url : nil,
                                    displayPath: path, hash: hashes[path])
            }
        }
    }
}
