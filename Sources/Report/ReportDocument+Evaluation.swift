import Charts
import EngineCore
import Foundation
import Training

extension ReportDocument {
    /// Final gold scores per family and scenario, win rates with CIs, the hacking signal and RM-ranked samples.
    func finalSection() -> String {
        guard let final = artifacts.finalEval.value else { return section("final", "Final evaluation", unavailable(artifacts.finalEval)) }
        let other = comparison?.artifacts.finalEval.value
        var out = "<p>\(final.prompts) eval prompts, " + (final.goldScoredPrompts == 0 ? "no gold scores (no world judge)" : "\(final.goldScoredPrompts) scored by the gold verifier")
            + "; temperature \(Markup.number(final.temperature)).</p>\n"
        if !final.hasRMScores {
            out += "<p class=\"missing\">No reward model was wired to this evaluation: no RM scores, RM win rates, "
                + "reward-hacking signal or RM-ranked samples.</p>\n"
        }
        let finals = [(prefix: "", final: final)] + compared.compactMap { other in other.artifacts.finalEval.value.map { (prefix: "\(other.name): ", final: $0) } }
        let length = Self.modelLengths(finals.map(\.final))
        out += table(["Model", "Gold mean", "Gold std", "RM mean", "RM std", "Length (\(length.unit))", "EOS fraction", "KL to SFT"],
                     finals.enumerated().flatMap { index, entry in
                         entry.final.models.map { model -> [Cell] in
                             [.text(entry.prefix + model.model), .number(model.goldMean), .number(model.goldStd), .number(model.rmMean), .number(model.rmStd),
                              .number(length.read(index, model)), .number(model.eosFraction), .number(model.klToSFT)]
                         }
                     }, id: "final-models")
        if finals.contains(where: { $0.final.models.contains { $0.klToSFT < 0 } }) {
            out += "<p class=\"note\" id=\"negative-kl\">A negative KL to SFT is estimation noise, not a real value: KL is never below 0, but it is "
                + "estimated from sampled responses as the mean of log π(y) − log π_SFT(y) summed over each response (the k1 estimator). "
                + "That estimate is unbiased but each sample can be negative, so when the two models are close the mean can fall below 0; "
                + "read such a value as ≈ 0 (more <code>kl_samples</code> narrow it).</p>\n"
        }
        var charts = ""
        let overall = BarChart(labels: ChartLabels(title: "Gold score overall (95% CI)", x: "model", y: "mean gold score (0–1)"),
                               bars: overallBars(final, prefix: "") + (other.map { overallBars($0, prefix: "\(comparison!.name): ") } ?? []), range: 0...1)
        if overall.hasData { charts += figure(overall, caption: "CI: mean ± 1.96·std/√n over the \(final.goldScoredPrompts) gold-scored prompts.") }
        for (title, read, spread) in [("family", { (m: ModelEvaluation) in m.goldByFamily }, { (m: ModelEvaluation) in m.goldSpreadByFamily }),
                                      ("scenario", { (m: ModelEvaluation) in m.goldByScenario }, { (m: ModelEvaluation) in m.goldSpreadByScenario })] {
            let groupBars = { (model: ModelEvaluation, series: String) in
                read(model).sorted { $0.key < $1.key }.map { group, mean in
                    let half = spread(model)?[group]?.halfWidth95
                    return ChartBar(group: group, series: series, value: mean, low: half.map { max(0, mean - $0) }, high: half.map { min(1, mean + $0) })
                }
            }
            var bars = final.models.flatMap { groupBars($0, $0.model) }
            if let other, let policy = other.model("policy") { bars += groupBars(policy, "\(comparison!.name): policy") }
            let chart = BarChart(labels: ChartLabels(title: "Gold score by \(title) (95% CI)", x: "task \(title)", y: "mean gold score (0–1)"), bars: bars, range: 0...1)
            let caption = final.models.allSatisfy { spread($0) != nil }
                ? "CI: mean ± 1.96·std/√n over each \(title)'s gold-scored prompts, clipped to the score range [0, 1]."
                : "This final_eval.json predates per-\(title) spreads, so these bars carry no interval."
            if chart.hasData { charts += figure(chart, caption: caption) }
        }
        var winBars = Self.policyWinBars(final, series: nil)
        if let other { winBars += Self.policyWinBars(other, series: comparison!.name) }
        let wins = BarChart(labels: ChartLabels(title: "Policy win rates (bootstrap 95% CI)", x: "opponent (judge)", y: "policy win rate (ties count ½)"), bars: winBars, reference: 0.5, range: 0...1)
        if wins.hasData { charts += figure(wins, caption: "Dashed line: 0.5 (no difference). An interval above it is a real win.") }
        out += "<div class=\"charts\">\(charts)</div>\n"
        out += "<h3>Win rates</h3>\n" + table(["A", "B", "Judge", "Win rate", "95% CI", "Wins", "Ties", "Losses"], WinRate.onePerComparison(final.winRates).map { rate in
            [.text(rate.a), .text(rate.b), .text(rate.judge), .number(rate.winRate),
             Cell(html: "<td class=\"num\">[\(Markup.number(rate.ciLow)), \(Markup.number(rate.ciHigh))]</td>"),
             .number(Double(rate.wins)), .number(Double(rate.ties)), .number(Double(rate.losses))]
        }, id: "win-rates")
        if let judges = final.judges, !judges.isEmpty {
            out += "<h3>Judges</h3>\n" + table(["Judge", "Pairs judged", "Position bias", "Pairs shown both ways"], judges.map { judge in
                [.text(judge.judge), .number(Double(judge.pairs)), .number(judge.positionBias), .number(judge.positionChecks.map(Double.init))]
            }, id: "judges")
            if let agreements = final.agreements, !agreements.isEmpty {
                out += table(["Judge", "Judge", "Agreement (pairs both decide)", "Pairs"], agreements.map { agreement in
                    [.text(agreement.a), .text(agreement.b), .number(agreement.agreement), .number(Double(agreement.pairs))]
                }, id: "judge-agreement")
            }
        }
        if let hacking = final.rewardHacking {
            out += "<h3>Reward hacking</h3>\n<p class=\"\(hacking.suspected ? "error" : "")\">\(Markup.escape(hacking.verdict))</p>\n"
            out += table(["RM gain", "RM gain (SFT std)", "Gold gain", "Proxy − gold", "Length ratio"],
                         [[.delta(hacking.rmGain), .delta(hacking.rmGainStandardised), .delta(hacking.goldGain), .number(hacking.proxyMinusGold), .number(hacking.lengthRatio)]])
        }
        out += final.hasRMScores ? "<h3>Highest and lowest RM-scored policy responses</h3>\n" : "<h3>Policy responses (no reward model ranks them)</h3>\n"
        out += table(["", "Prompt", "Response", "RM", "Gold", "EOS"], final.highestRM.map { sampleRow("highest", $0) } + final.lowestRM.map { sampleRow("lowest", $0) }
                     + (final.hasRMScores ? [] : (final.responses?["policy"] ?? []).prefix(5).map { sampleRow("sample", $0) }))
        return section("final", "Final evaluation", out + provenance(artifacts.finalEval.origin))
    }

    /// The length column of the models table for these final evaluations: mean tokens (EOS included) per model
    /// when every one kept its responses with token counts, else the recorded mean characters.
    static func modelLengths(_ finals: [FinalEvaluation]) -> (unit: String, read: (Int, ModelEvaluation) -> Double?) {
        let tokens = finals.map { final -> [String: Double]? in
            guard let responses = final.responses, !responses.isEmpty,
                  responses.values.allSatisfy({ $0.allSatisfy { $0.tokens != nil } }) else { return nil }
            return responses.mapValues { list in Statistics.mean(list.map { Double($0.tokens ?? 0) }) }
        }
        guard tokens.allSatisfy({ $0 != nil }) else { return ("chars", { _, model in model.lengthMean }) }
        return ("tokens", { index, model in tokens[index]?[model.model] })
    }

    private func sampleRow(_ label: String, _ sample: JudgedResponse) -> [Cell] {
        [.text(label), .long(sample.prompt), .long(sample.response), .number(sample.rmScore), .number(sample.gold), .text(sample.reachedEOS ? "yes" : "no")]
    }

    private func overallBars(_ final: FinalEvaluation, prefix: String) -> [ChartBar] {
        let n = Double(max(final.goldScoredPrompts, 1))
        return final.models.compactMap { model in
            guard let mean = model.goldMean else { return nil }
            let half = 1.96 * (model.goldStd ?? 0) / n.squareRoot()
            return ChartBar(group: prefix + model.model, series: "gold", value: mean, low: mean - half, high: mean + half)
        }
    }

    /// The policy's win rate against each opponent, once per opponent and judge (a comparison recorded
    /// only as policy-as-B is turned into the policy's rate, 1 − w, with its interval mirrored);
    /// `series` names a compared experiment.
    static func policyWinBars(_ final: FinalEvaluation, series: String?) -> [ChartBar] {
        WinRate.onePerComparison(final.winRates).compactMap { rate in
            let name = series.map { "\($0): policy" } ?? "policy"
            if rate.a == "policy" {
                return ChartBar(group: "vs \(rate.b) (\(rate.judge))", series: name, value: rate.winRate, low: rate.ciLow, high: rate.ciHigh)
            }
            if rate.b == "policy" {
                return ChartBar(group: "vs \(rate.a) (\(rate.judge))", series: name, value: 1 - rate.winRate, low: 1 - rate.ciHigh, high: 1 - rate.ciLow)
            }
            return nil
        }
    }
}
