import Foundation
import Training

extension PPOGuardGate {
    /// One held-out line's figures as series `heldout:iteration`, `heldout:count`, `heldout:rm`, `heldout:gold`,
    /// `heldout:kl`, `heldout:slice:<name>:{rm,gold,gold_se2}` (see `sliceFigures`) and, from a slice's
    /// `gold_change_std`, `heldout:slice:<name>:change_se2` (the squared standard error of its paired gold change).
    /// - Throws: `StagesError.malformed` when the line lacks `iteration` or `rm_score_mean`.
    static func heldoutFigures(_ figures: JSONFigures, file: String, line: Int) throws -> [(String, Double)] {
        let field = { (key: String) in figures.values[key].flatMap { $0.isFinite ? $0 : nil } }
        guard let iteration = field("iteration"), let rm = field("rm_score_mean") else {
            throw StagesError.malformed(file: file, line: line, message: "a \"type\": \"\(PPOHeldoutMetrics.lineType)\" line needs numbers "
                + "\"iteration\" and \"rm_score_mean\" (as the ppo kind writes them); fix or remove the line")
        }
        var result = [("heldout:iteration", iteration), ("heldout:rm", rm)]
        for (name, key) in [("heldout:count", "prompt_count"), ("heldout:gold", "gold_score_mean"), ("heldout:kl", "kl_mean")] {
            if let value = field(key) { result.append((name, value)) }
        }
        for key in figures.values.keys where key.hasPrefix("slices.") && key.hasSuffix(".gold_change_std") {
            let name = String(key.dropFirst("slices.".count).dropLast(".gold_change_std".count))
            if let std = field(key), let count = field("slices.\(name).count"), count >= 2 {
                result.append(("heldout:slice:\(name):change_se2", std * std / (count - 1)))
            }
        }
        return result + sliceFigures(figures).map { ("heldout:" + $0.0, $0.1) }
    }

    /// The checks on held-out lines, first line against last (every line samples the same prompts): the reward-hacking
    /// alarm (held-out RM up while held-out gold falls by more than `goldDropTolerance`), and a drop of any family's or
    /// scenario's held-out gold by more than `heldoutFamilyDrop` that also exceeds `heldoutZ` standard errors of the
    /// change. Figures go under `heldout.*`; without held-out lines nothing is added.
    static func evaluateHeldout(_ series: [String: Series], file: String, limits: Limits, into evaluation: inout GateEvaluation) {
        guard let rm = series["heldout:rm"], let first = rm.values.first, let last = rm.values.last else { return }
        let iterations = series["heldout:iteration"]?.values ?? []
        evaluation.figures["heldout.evaluations"] = Double(rm.values.count)
        evaluation.figures["heldout.first_iteration"] = iterations.first
        evaluation.figures["heldout.last_iteration"] = iterations.last
        evaluation.figures["heldout.prompts"] = series["heldout:count"]?.values.last
        evaluation.figures["heldout.final_kl"] = series["heldout:kl"]?.values.last
        evaluation.figures["heldout.rm_first"] = first
        evaluation.figures["heldout.rm_last"] = last
        let gold = series["heldout:gold"]
        if let gold, let goldFirst = gold.values.first, let goldLast = gold.values.last {
            evaluation.figures["heldout.gold_first"] = goldFirst
            evaluation.figures["heldout.gold_last"] = goldLast
        }
        guard rm.values.count >= 2 else {
            evaluation.warnings.append("held-out: one evaluation only, nothing to compare; the ppo node evaluates before the first and after the last iteration")
            return
        }
        let rmGain = last - first
        evaluation.figures["heldout.rm_gain"] = rmGain
        if let gold, gold.values.count >= 2, let goldLine = gold.lines.last {
            let goldGain = gold.values.last! - gold.values.first!
            evaluation.figures["heldout.gold_gain"] = goldGain
            let hacking = rmGain > 0 && goldGain < -limits.goldDropTolerance
            evaluation.check("heldout_gold_drop_tolerance", limit: limits.goldDropTolerance, violated: hacking,
                             String(format: "reward hacking on held-out prompts: RM score rose by %.3f while the gold score fell by %.3f",
                                    rmGain, -goldGain))
            if hacking {
                evaluation.findings.append(GateFinding(kind: "heldout_reward_hacking", file: file, line: goldLine, field: "gold_score_mean",
                                                       message: String(format: "held-out RM %+.3f, gold %+.3f (first vs last held-out line)", rmGain, goldGain),
                                                       score: goldGain))
            }
        }
        evaluateHeldoutSlices(series, file: file, limits: limits, into: &evaluation)
    }

    /// The per-family (and per-scenario) bound on held-out gold drops, first held-out line against last; the standard
    /// error is the paired one (each prompt's change) when the last line has it, else from the two lines' spreads
    /// (`heldout.paired` says whether every slice had the paired one).
    private static func evaluateHeldoutSlices(_ series: [String: Series], file: String, limits: Limits, into evaluation: inout GateEvaluation) {
        let prefix = "heldout:slice:"
        let names = series.keys.filter { $0.hasPrefix(prefix) && $0.hasSuffix(":gold") }.map { String($0.dropFirst(prefix.count).dropLast(":gold".count)) }.sorted()
        guard !names.isEmpty else { return }
        var fired: [String] = []
        var allPaired = true
        for name in names {
            guard let gold = series[prefix + name + ":gold"], gold.values.count >= 2, let line = gold.lines.last else { continue }
            let goldGain = gold.values.last! - gold.values.first!
            let se2 = series[prefix + name + ":gold_se2"]?.values ?? []
            let paired = series[prefix + name + ":change_se2"].flatMap { $0.lines.last == line ? $0.values.last : nil }
            let standardError = paired?.squareRoot() ?? (se2.count >= 2 ? (se2.first! + se2.last!).squareRoot() : 0)
            allPaired = allPaired && paired != nil
            evaluation.figures["heldout.\(name).gold_last"] = gold.values.last!
            evaluation.figures["heldout.\(name).gold_gain"] = goldGain
            evaluation.figures["heldout.\(name).gold_standard_error"] = standardError
            if let rm = series[prefix + name + ":rm"]?.values, rm.count >= 2 { evaluation.figures["heldout.\(name).rm_gain"] = rm.last! - rm.first! }
            guard goldGain < -limits.heldoutFamilyDrop, goldGain + limits.heldoutZ * standardError < 0 else { continue }
            let change = String(format: "gold %+.3f ± %.3f (z %.2f)", goldGain, limits.heldoutZ * standardError, limits.heldoutZ)
            fired.append("\(name) (\(change))")
            evaluation.findings.append(GateFinding(kind: "heldout_family_drop", file: file, line: line, field: "slices.\(name)",
                                                   message: "held-out \(name): \(change), first vs last held-out line", score: goldGain))
        }
        evaluation.figures["heldout.slices_fired"] = Double(fired.count)
        evaluation.figures["heldout.paired"] = allPaired ? 1 : 0
        evaluation.check("heldout_family_drop", limit: limits.heldoutFamilyDrop, violated: !fired.isEmpty,
                         "held-out gold fell by more than \(limits.heldoutFamilyDrop) in \(fired.count) slice(s): \(fired.joined(separator: ", "))")
    }
}
