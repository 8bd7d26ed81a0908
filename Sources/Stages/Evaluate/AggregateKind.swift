import EngineCore
import Foundation
import Training

/// `evaluate.aggregate`: the evaluations of one experiment replicated over seeds, as each headline figure's mean
/// with a Student-t 95% interval and the per-seed values (gold and RM gains, greedy gold gain, win rates vs SFT, each family).
///
/// Every input is an `evaluate` node's `summary` (`final_eval.json`); its role names the seed, e.g. `seed_11`.
struct AggregateKind: StageKind {
    /// `evaluate.aggregate`.
    let name = "evaluate.aggregate"
    /// Version 2 (2: both models' gold, scenario gains, win-rate lower bounds, KL and the slice alarm; seeds sort numerically).
    let version = 2
    /// Aggregates replicated evaluations.
    let summary = "final_eval.json of several seeds (inputs: any roles, one evaluate summary each) as mean and 95% interval per headline figure"
    /// Any roles, each a `final_eval.json`.
    let inputs: [InputSpec]? = nil
    /// No params.
    let params: [ParamSpec] = []
    /// `summary` (JSON) and `report` (Markdown).
    let outputs: [String]? = ["summary", "report"]

    /// `experiments/<experiment>/reports/<node>.json` (summary) and `.md` (report).
    func defaultPath(output: String, node: String, experiment: String) -> String {
        "experiments/\(experiment)/reports/\(node)." + (output == "summary" ? "json" : "md")
    }

    /// Reads every input and writes the aggregate; records each figure's mean and interval as metrics (`gold_gain/mean`,
    /// `gold_gain/ci_low`, `gold_gain/ci_high`), which `rlhf diff` and `rlhf experiments` show.
    func run(_ context: StageContext) throws {
        guard context.inputs.count >= 2 else {
            throw StagesError.invalidInputs(node: context.node, message: "needs the summaries of at least 2 seeds (e.g. seed_1: evaluate_1.summary, seed_2: …)")
        }
        var evaluations: [String: FinalEvaluation] = [:]
        for (role, url) in context.inputs {
            do {
                evaluations[role] = try JSONDecoder().decode(FinalEvaluation.self, from: Data(contentsOf: url))
            } catch {
                throw StagesError.badInput(path: url.path, message: "input '\(role)' is not an evaluate summary (final_eval.json): \(error)")
            }
        }
        let aggregate = SeedAggregate(evaluations)
        try JSONFiles.write(aggregate, to: context.outputs["summary"]!)
        try Data(aggregate.markdown.utf8).write(to: context.outputs["report"]!)
        for figure in aggregate.figures {
            context.metrics.record("\(figure.name)/mean", step: 0, value: figure.mean)
            if let low = figure.ciLow, let high = figure.ciHigh {
                context.metrics.record("\(figure.name)/ci_low", step: 0, value: low)
                context.metrics.record("\(figure.name)/ci_high", step: 0, value: high)
            }
        }
    }
}

extension SeedAggregate {
    /// The aggregate as a Markdown table: mean, 95% interval and every seed's value per figure.
    var markdown: String {
        func f(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "–" }
        var lines = ["# Aggregate evaluation over \(seeds.count) seeds", "",
                     "Mean with a Student-t 95% interval across seeds; policy − SFT for gains.", "",
                     "| figure | mean | 95% CI | " + seeds.map { "seed \(Self.seedLabel($0))" }.joined(separator: " | ") + " |",
                     "|---|---|---|" + seeds.map { _ in "---|" }.joined()]
        for figure in figures {
            lines.append("| \(figure.name) | \(f(figure.mean)) | [\(f(figure.ciLow)), \(f(figure.ciHigh))] | "
                + seeds.map { f(figure.perSeed[$0]) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
