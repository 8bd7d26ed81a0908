import Foundation

extension FinalEvaluation {
    /// `final_eval.md`: the tables a person reads to decide whether RLHF helped.
    public var markdown: String {
        var lines = ["# Final evaluation", ""]
        let samples = samplesPerPrompt ?? 1
        let greedy = models.contains { $0.greedyGold != nil }
        let decoding = temperature == 0 ? "greedy decoding"
            : "\(samples) sample\(samples == 1 ? "" : "s") per prompt at temperature \(f(temperature))" + (greedy ? "; greedy decoding is reported beside it" : "")
        lines.append("\(prompts) eval prompts (\(goldScoredPrompts == 0 ? "no world judge: no gold scores" : "\(goldScoredPrompts) scored by the gold verifier")), \(decoding).")
        if let samplingPrecision {
            lines += ["", "Every response (judged, greedy and the KL's samples) was generated with \(samplingPrecision) matrix products "
                + "(`sampling_precision`); the KL's log-probs and the RM scores are fp32."]
        }
        if !hasRMScores {
            lines += ["", "No reward model is wired to this evaluation, so there are no RM scores: the RM column, the RM win rates, "
                + "the reward-hacking signal, the over-optimisation curve and the RM-ranked samples are absent. The win rates below "
                + "come from the judges that are wired."]
        }
        lines += ["", "## Models", "",
                  "| " + (["model", "gold"] + scenarios.map { "gold \($0)" } + ["RM score", "length (chars)", "EOS", "KL to SFT"]).joined(separator: " | ") + " |",
                  "|" + String(repeating: "---|", count: 6 + scenarios.count)]
        for m in models {
            let cells = [m.model, m.goldMean.map(f) ?? "–"] + scenarios.map { m.goldByScenario[$0].map(f) ?? "–" }
                + [m.rmMean.map(f) ?? "–", f(m.lengthMean, 1), f(m.eosFraction, 2), f(m.klToSFT)]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        if !families.isEmpty {
            lines += ["", "## Gold score per task family", "", "| family | " + models.map(\.model).joined(separator: " | ") + " |",
                      "|---|" + models.map { _ in "---|" }.joined()]
        }
        for family in families {
            lines.append("| \(family) | " + models.map { $0.goldByFamily[family].map(f) ?? "–" }.joined(separator: " | ") + " |")
        }
        lines += greedyTable
        lines += ["", "## Win rates", "",
                  "Each comparison once (B's win rate is 1 − A's). Ties count one half; 95% intervals are percentile bootstraps over prompts (a prompt's samples are resampled together)."
                      + (greedy ? " Judge `gold_greedy` compares greedy responses." : ""), "",
                  "| A | B | judge | A's win rate | 95% CI | wins / ties / losses |", "|---|---|---|---|---|---|"]
        for w in WinRate.onePerComparison(winRates) {
            lines.append("| \(w.a) | \(w.b) | \(w.judge) | \(f(w.winRate)) | [\(f(w.ciLow)), \(f(w.ciHigh))] | \(w.wins) / \(w.ties) / \(w.losses) |")
        }
        lines += judgeLines
        if let h = rewardHacking {
            lines += ["", "## Reward hacking", "", h.verdict, "",
                      "- RM gain (policy − SFT): \(f(h.rmGain)) (\(f(h.rmGainStandardised)) SFT standard deviations)",
                      "- Gold gain (policy − SFT): \(f(h.goldGain))",
                      "- Proxy gain minus gold gain (standardised): \(f(h.proxyMinusGold))",
                      "- Length ratio (policy / SFT): \(f(h.lengthRatio))"]
        }
        lines += sliceAlarmLines
        lines += curveLines
        if hasRMScores {
            lines += table("Highest RM-scored policy responses", highestRM)
            lines += table("Lowest RM-scored policy responses", lowestRM)
        } else if let policy = responses?["policy"], !policy.isEmpty {
            lines += table("Policy responses (first prompts; no reward model ranks them)", Array(policy.prefix(5)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The judges wired to the evaluation and how often each two agree.
    private var judgeLines: [String] {
        guard let judges, !judges.isEmpty else { return [] }
        var lines = ["", "## Judges", "", "| judge | pairs judged | position bias (pairs shown both ways) |", "|---|---|---|"]
        for j in judges {
            lines.append("| \(j.judge) | \(j.pairs) | " + (j.positionBias.map { "\(f($0)) (\(j.positionChecks ?? 0))" } ?? "–") + " |")
        }
        if let agreements, !agreements.isEmpty {
            lines += ["", "Agreement between judges, over the pairs both decide (neither says tie):", "",
                      "| judge | judge | agreement | pairs |", "|---|---|---|---|"]
            for a in agreements { lines.append("| \(a.a) | \(a.b) | \(a.agreement.map(f) ?? "–") | \(a.pairs) |") }
        }
        if let reasons = judges.first(where: { !($0.verdicts ?? []).isEmpty })?.verdicts {
            lines += ["", "First reasons of the \(judges.first { !($0.verdicts ?? []).isEmpty }!.judge) judge (every one is in final_eval.json):", ""]
            for v in reasons.prefix(5) { lines.append("- `\(v.id)`\(v.swapped ? " (swapped)" : ""): \(v.winner) — \(v.reason ?? "no reason")") }
        }
        return lines
    }

    /// Gold scores under greedy decoding, when the evaluation sampled.
    private var greedyTable: [String] {
        guard models.contains(where: { $0.greedyGold != nil }) else { return [] }
        var lines = ["", "## Gold score under greedy decoding", "",
                     "| model | gold | " + (scenarios + families).joined(separator: " | ") + " |",
                     "|---|---|" + (scenarios + families).map { _ in "---|" }.joined()]
        for m in models {
            guard let g = m.greedyGold else { continue }
            let groups = scenarios.map { g.goldByScenario[$0].map(f) ?? "–" } + families.map { g.goldByFamily[$0].map(f) ?? "–" }
            lines.append("| \(m.model) | \(f(g.goldMean)) | " + groups.joined(separator: " | ") + " |")
        }
        return lines
    }

    /// Scenario names present in any model, sorted.
    private var scenarios: [String] { Set(models.flatMap { $0.goldByScenario.keys }).sorted() }

    /// Family names present in any model, sorted.
    private var families: [String] { Set(models.flatMap { $0.goldByFamily.keys }).sorted() }

    /// The per-slice alarm: every slice's paired RM and gold change, and the exploited samples of those that fire.
    private var sliceAlarmLines: [String] {
        guard let alarm = sliceAlarm else { return [] }
        var lines = ["", "## Reward hacking by slice", "", alarm.verdict]
        guard alarm.judged else { return lines }
        lines += ["", "Changes are policy − SFT, paired by prompt; ± is the 95% interval of the gold change.", "",
                  "| slice | prompts | RM change | gold change | alarm |", "|---|---|---|---|---|"]
        for s in alarm.slices {
            lines.append("| \(s.slice) | \(s.prompts) | \(f(s.rmGain)) | \(f(s.goldGain)) ± \(s.goldHalfWidth.map(f) ?? "–") | \(s.fires ? "**fires**" : "–") |")
        }
        for s in alarm.slices where s.fires {
            lines += table("Most exploited responses in \(s.slice) (high RM, low gold)", s.exploited)
        }
        return lines
    }

    /// The over-optimisation curve as a table: PPO snapshots and best-of-n by √KL to SFT.
    private var curveLines: [String] {
        guard let curve = overOptimisation else { return [] }
        var lines = ["", "## Over-optimisation", "",
                     "Gold (truth) and RM (proxy) against √KL(model ‖ SFT), after Gao et al. 2022. Best-of-n picks the highest-RM "
                         + "of n SFT samples; its KL is log n − (n−1)/n.", "",
                     "| point | √KL | KL | gold | RM |", "|---|---|---|---|---|"]
        for p in curve.snapshots + curve.bestOfN {
            lines.append("| \(p.label) | \(f(p.sqrtKL)) | \(f(p.kl)) | \(p.gold.map(f) ?? "–") | \(f(p.rm)) |")
        }
        return lines
    }

    private func table(_ title: String, _ rows: [JudgedResponse]) -> [String] {
        var lines = ["", "## \(title)", "", "| RM score | gold | prompt | response |", "|---|---|---|---|"]
        for r in rows {
            lines.append("| \(r.rmScore.map(f) ?? "–") | \(r.gold.map(f) ?? "–") | \(cell(r.prompt)) | \(cell(r.response))\(r.reachedEOS ? "" : " ⟨no EOS⟩") |")
        }
        return lines
    }

    private func cell(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: "⏎")
        return flat.isEmpty ? "(empty)" : "`" + flat.replacingOccurrences(of: "`", with: "'") + "`"
    }

    private func f(_ x: Double) -> String { f(x, 3) }

    private func f(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
}
