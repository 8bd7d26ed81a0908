import Training

extension ReportDocument {
    /// The held-out lines of `ppo_train_metrics.jsonl` as a table (one row per evaluation, one gold column per task
    /// family or scenario), with what they are for; empty when the run has none.
    func ppoHeldoutTable() -> String {
        guard let lines = artifacts.ppoHeldout.value, !lines.isEmpty else { return "" }
        let slices = Set(lines.flatMap { $0.slices?.keys.map { $0 } ?? [] }).sorted()
        let headers = ["After iteration", "Prompts", "RM score", "Gold score", "KL", "Length", "EOS fraction"] + slices.map { "gold \($0)" }
        let rows = lines.map { line -> [Cell] in
            [.number(Double(line.iteration)), .number(Double(line.promptCount)), .number(line.rmScoreMean), .number(line.goldScoreMean),
             .number(line.klMean), .number(line.responseLengthMean), .number(line.eosFraction)]
                + slices.map { Cell.number(line.slices?[$0]?.goldScoreMean) }
        }
        var out = "<h3>Held-out prompts</h3>\n<p>The policy sampled on \(lines.last!.promptCount) prompts PPO never trains on (the same prompts each time, "
            + "at the rollout temperature), before the first iteration, between iterations and after the last. RM up while gold falls here is "
            + "over-optimisation of the reward model; <code>gate.ppo_guard</code> compares the first line with the last.</p>\n"
        out += table(headers, rows, id: "ppo-heldout")
        return out
    }
}
