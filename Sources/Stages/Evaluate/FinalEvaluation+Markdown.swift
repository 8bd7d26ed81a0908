import Foundation

extension FinalEvaluation {
    /// `final_eval.md`: the tables a person reads to decide whether RLHF helped.
    var markdown: String {
        var lines = ["# Final evaluation", ""]
        let decoding = temperature == 0 ? "greedy decoding" : "sampling at temperature \(f(temperature))"
        lines.append("\(prompts) eval prompts (\(goldScoredPrompts) scored by the gold verifier), \(decoding).")
        lines += ["", "## Models", "",
                  "| model | gold | " + scenarios.map { "gold \($0)" }.joined(separator: " | ") + " | RM score | length (chars) | EOS | KL to SFT |",
                  "|---|---|" + scenarios.map { _ in "---|" }.joined() + "---|---|---|---|"]
        for m in models {
            let perScenario = scenarios.map { m.goldByScenario[$0].map(f) ?? "–" }.joined(separator: " | ")
            lines.append("| \(m.model) | \(f(m.goldMean)) | \(perScenario) | \(f(m.rmMean)) | \(f(m.lengthMean, 1)) | \(f(m.eosFraction, 2)) | \(f(m.klToSFT)) |")
        }
        lines += ["", "## Gold score per task family", "", "| family | " + models.map(\.model).joined(separator: " | ") + " |",
                  "|---|" + models.map { _ in "---|" }.joined()]
        for family in families {
            lines.append("| \(family) | " + models.map { $0.goldByFamily[family].map(f) ?? "–" }.joined(separator: " | ") + " |")
        }
        lines += ["", "## Win rates", "",
                  "Ties count one half; 95% intervals are percentile bootstraps over prompts.", "",
                  "| A | B | judge | A's win rate | 95% CI | wins / ties / losses |", "|---|---|---|---|---|---|"]
        for w in winRates {
            lines.append("| \(w.a) | \(w.b) | \(w.judge) | \(f(w.winRate)) | [\(f(w.ciLow)), \(f(w.ciHigh))] | \(w.wins) / \(w.ties) / \(w.losses) |")
        }
        let h = rewardHacking
        lines += ["", "## Reward hacking", "", h.verdict, "",
                  "- RM gain (policy − SFT): \(f(h.rmGain)) (\(f(h.rmGainStandardised)) SFT standard deviations)",
                  "- Gold gain (policy − SFT): \(f(h.goldGain))",
                  "- Proxy gain minus gold gain (standardised): \(f(h.proxyMinusGold))",
                  "- Length ratio (policy / SFT): \(f(h.lengthRatio))"]
        lines += table("Highest RM-scored policy responses", highestRM)
        lines += table("Lowest RM-scored policy responses", lowestRM)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Scenario names present in any model, sorted.
    private var scenarios: [String] { Set(models.flatMap { $0.goldByScenario.keys }).sorted() }

    /// Family names present in any model, sorted.
    private var families: [String] { Set(models.flatMap { $0.goldByFamily.keys }).sorted() }

    private func table(_ title: String, _ rows: [JudgedResponse]) -> [String] {
        var lines = ["", "## \(title)", "", "| RM score | gold | prompt | response |", "|---|---|---|---|"]
        for r in rows {
            lines.append("| \(f(r.rmScore)) | \(r.gold.map(f) ?? "–") | \(cell(r.prompt)) | \(cell(r.response))\(r.reachedEOS ? "" : " ⟨no EOS⟩") |")
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
