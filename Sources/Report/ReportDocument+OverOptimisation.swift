import Charts
import Foundation
import Training

extension ReportDocument {
    /// The reward-hacking alarm by slice and the over-optimisation curve of `final_eval.json`; empty when it has neither.
    func overOptimisationSection() -> String {
        guard let final = artifacts.finalEval.value, final.sliceAlarm != nil || final.overOptimisation != nil else { return "" }
        var out = ""
        if let alarm = final.sliceAlarm {
            out += "<h3>Reward hacking by slice</h3>\n<p class=\"\(alarm.fired ? "error" : "")\">\(Markup.escape(alarm.verdict))</p>\n"
            if alarm.judged {
                out += table(["Slice", "Prompts", "RM change", "Gold change", "Gold 95% half-width", "Alarm"], alarm.slices.map { slice in
                    [.text(slice.slice), .number(Double(slice.prompts)), .delta(slice.rmGain), .delta(slice.goldGain), .number(slice.goldHalfWidth),
                     .text(slice.fires ? "fires" : "–")]
                }, id: "slice-alarm")
                let exploited = alarm.slices.filter(\.fires).flatMap { slice in slice.exploited.map { (slice.slice, $0) } }
                if !exploited.isEmpty {
                    out += "<h3>Most exploited responses (high RM, low gold)</h3>\n"
                    out += table(["Slice", "Prompt", "Response", "RM", "Gold"], exploited.map { slice, sample in
                        [.text(slice), .text(sample.prompt), .text(sample.response), .number(sample.rmScore), .number(sample.gold)]
                    }, id: "slice-exploited")
                }
            }
        }
        if let curve = final.overOptimisation {
            out += "<h3>Over-optimisation curve</h3>\n"
            let series = { (label: String, points: [CurvePoint], value: (CurvePoint) -> Double?, color: Int, dashed: Bool, axis: ChartSeries.Axis) in
                ChartSeries(label: label, points: points.compactMap { p in value(p).map { ChartPoint(x: p.sqrtKL, y: $0) } }.sorted { $0.x < $1.x },
                            color: color, dashed: dashed, axis: axis)
            }
            let chart = LineChart(labels: ChartLabels(title: "Gold and proxy against √KL(policy ‖ SFT)", x: "√KL to SFT (√nats)",
                                                      y: "mean gold score", yRight: "mean RM score"),
                                  series: [series("PPO snapshots: gold", curve.snapshots, \.gold, 0, false, .left),
                                           series("PPO snapshots: RM", curve.snapshots, { $0.rm }, 1, false, .right),
                                           series("best-of-n: gold", curve.bestOfN, \.gold, 0, true, .left),
                                           series("best-of-n: RM", curve.bestOfN, { $0.rm }, 1, true, .right)].filter { !$0.points.isEmpty })
            if chart.hasData {
                out += "<div class=\"charts\">" + figure(chart.svg(), caption: "After Gao et al. 2022: where the RM keeps rising and gold turns "
                    + "down, optimisation stopped paying. Best-of-n (dashed) picks the highest-RM of n SFT samples, KL = log n − (n−1)/n.") + "</div>\n"
            }
            out += table(["Point", "√KL", "KL", "Gold", "RM"], (curve.snapshots + curve.bestOfN).map { p in
                [.text(p.label), .number(p.sqrtKL), .number(p.kl), .number(p.gold), .number(p.rm)]
            }, id: "over-optimisation")
        }
        return section("over-optimisation", "Reward hacking by slice and over-optimisation", out + provenance(artifacts.finalEval.origin))
    }
}
