import Charts
import EngineCore
import Foundation
import Training

extension ReportDocument {
    /// The evaluated models in display order, with their palette colours in the sample charts.
    static let sampleModels: [(name: String, color: Int)] = [("base", 6), ("sft", 0), ("policy", 1)]

    /// Every judged response of `final` by model, in display order (empty for a final_eval.json without them).
    static func judgedResponses(_ final: FinalEvaluation) -> [(model: String, responses: [JudgedResponse])] {
        guard let responses = final.responses else { return [] }
        let known = sampleModels.map(\.name)
        return known.compactMap { name in responses[name].map { (model: name, responses: $0) } }
            + responses.keys.filter { !known.contains($0) }.sorted().map { (model: $0, responses: responses[$0]!) }
    }

    /// Length of a response in the report's one unit: tokens (EOS included) when every response has its count.
    static func lengthUnit(_ groups: [[JudgedResponse]]) -> (label: String, read: (JudgedResponse) -> Double) {
        if groups.allSatisfy({ $0.allSatisfy { $0.tokens != nil } }) {
            return ("tokens, EOS included", { Double($0.tokens ?? 0) })
        }
        return ("characters", { Double($0.response.count) })
    }

    /// (length, RM score) of each response that has an RM score.
    static func scored(_ responses: [JudgedResponse], length: (JudgedResponse) -> Double) -> [ChartPoint] {
        responses.compactMap { response in (response.rmScore as Double?).map { ChartPoint(x: length(response), y: $0) } }
    }

    /// Reward versus response length over every judged eval response (each model, and each compared experiment's
    /// policy), with a least-squares trend and Spearman's ρ per model; without kept responses, the extreme
    /// samples and the probes as before.
    func lengthScatter() -> String {
        guard let final = artifacts.finalEval.value, !Self.judgedResponses(final).isEmpty else { return extremesScatter() }
        let groups = Self.judgedResponses(final)
        let others = compared.compactMap { other -> (name: String, policy: [JudgedResponse])? in
            guard let policy = other.artifacts.finalEval.value?.responses?["policy"] else { return nil }
            return (other.name, policy)
        }
        let unit = Self.lengthUnit(groups.map(\.responses) + others.map(\.policy))
        var series: [ChartSeries] = []
        var correlations: [String] = []
        var all: [ChartPoint] = []
        for (index, group) in groups.enumerated() {
            let color = Self.sampleModels.first { $0.name == group.model }?.color ?? 2 + index
            let points = Self.scored(group.responses, length: unit.read)
            all += points
            series.append(ChartSeries(label: group.model, points: points, color: color))
            if let trend = TrendLine(points), trend.xRange.lowerBound < trend.xRange.upperBound {
                series.append(trend.series(label: "\(group.model) trend", color: color))
                correlations.append("\(group.model) \(String(format: "%.2f", trend.spearman))")
            } else {
                correlations.append("\(group.model) n/a (every response the same length)")
            }
        }
        for (index, other) in others.enumerated() {
            let points = Self.scored(other.policy, length: unit.read)
            series.append(ChartSeries(label: "\(other.name): policy", points: points, color: 3 + index))
            if let trend = TrendLine(points) { correlations.append("\(other.name): policy \(String(format: "%.2f", trend.spearman))") }
        }
        let chart = LineChart(labels: ChartLabels(title: "Reward vs response length", x: "response length (\(unit.label))", y: "RM score (reward-model units)"),
                              series: series, dots: true)
        guard chart.hasData else { return "<p class=\"missing\">Reward vs length: no response has an RM score (no reward model was wired to evaluate).</p>\n" }
        let overall = TrendLine(all).map { " All \(experiment) responses together: ρ = \(String(format: "%.2f", $0.spearman)) (n = \($0.count))." } ?? ""
        let caption = "Every judged eval response (\(all.count): \(groups.map { "\($0.responses.count) \($0.model)" }.joined(separator: ", "))). "
            + "Spearman ρ(RM score, length) by model: \(correlations.joined(separator: "; ")).\(overall) "
            + "Dashed: least-squares trend per model. A rising cloud, or a policy cloud shifted right, means the reward model pays for length."
        return "<div class=\"charts\">" + figure(chart, caption: caption) + "</div>\n"
    }

    /// The scatter of a final_eval.json without kept responses: its highest- and lowest-RM samples, scored probe
    /// lines and rm_eval's held-out pairs, lengths in characters.
    private func extremesScatter() -> String {
        var series: [ChartSeries] = []
        if let final = artifacts.finalEval.value {
            let samples = final.highestRM + final.lowestRM
            series.append(ChartSeries(label: "policy samples (final eval extremes)", points: samples.map { ChartPoint(x: Double($0.response.count), y: $0.rmScore) }, color: 0))
        }
        for (index, probe) in artifacts.probes.enumerated() {
            let points = (probe.lines.value ?? []).compactMap { line -> ChartPoint? in
                guard let object = line.objectValue, let text = ProbeLine.response(object), let reward = ProbeLine.rm(object) else { return nil }
                return ChartPoint(x: Double(text.count), y: reward)
            }
            if !points.isEmpty { series.append(ChartSeries(label: "\(probe.name) probe", points: points, color: index + 1)) }
        }
        if let eval = artifacts.rmEval.value, let pairs = JSONFacts.pairs(eval, xWords: ["length", "chars"], yWords: ["reward", "score"]) {
            series.append(ChartSeries(label: "rm_eval held-out", points: pairs.points, color: 4))
        }
        let chart = LineChart(labels: ChartLabels(title: "Reward vs response length", x: "response length (characters)", y: "RM score (reward-model units)"), series: series, dots: true)
        guard chart.hasData else { return "<p class=\"missing\">Reward vs length: no scored responses yet (needs final_eval.json or probe lines with an RM score).</p>\n" }
        return "<div class=\"charts\">" + figure(chart, caption: "Only the extreme samples: this final_eval.json predates kept responses (evaluate v7 keeps every one). "
            + "A rising cloud means the reward model pays for length.") + "</div>\n"
    }

    /// The base probe's report rendered, then the same eval prompts answered by base, SFT and policy side by side
    /// with gold and RM scores (from final_eval.json), or the probes' generations when it has no kept responses.
    func samplesSection() -> String {
        var out = ""
        if let probe = artifacts.baseProbe.value {
            out += "<h3>Base probe report</h3>\n<div class=\"markdown\">\(MarkdownHTML.render(String(probe.prefix(20_000))))</div>\n"
        } else {
            out += unavailable(artifacts.baseProbe)
        }
        if let final = artifacts.finalEval.value, !Self.judgedResponses(final).isEmpty {
            return section("samples", "Samples", out + sideBySide(final))
        }
        let probes = artifacts.probes.compactMap { probe -> (String, [[String: JSONValue]])? in
            guard let lines = probe.lines.value else { return nil }
            return (probe.name, lines.compactMap(\.objectValue))
        }
        for probe in artifacts.probes where probe.lines.value == nil { out += unavailable(probe.lines) }
        guard !probes.isEmpty else {
            return section("samples", "Samples", out + "<p class=\"missing\">No judged responses (final_eval.json from evaluate v7) or generation probes to compare side by side.</p>\n")
        }
        let prompts = probes.flatMap { $0.1.compactMap(ProbeLine.prompt) }.uniqued().prefix(12)
        let headers = ["Prompt"] + probes.flatMap { ["\($0.0) response", "gold", "RM"] }
        let rows = prompts.map { prompt -> [Cell] in
            [.long(prompt)] + probes.flatMap { probe -> [Cell] in
                guard let line = probe.1.first(where: { ProbeLine.prompt($0) == prompt }) else { return [.text("–"), .number(nil), .number(nil)] }
                return [.long(ProbeLine.response(line) ?? "–"), .number(ProbeLine.gold(line)), .number(ProbeLine.rm(line))]
            }
        }
        out += "<h3>Same prompts, each probed model</h3>\n" + table(headers, rows, id: "probe-samples")
        return section("samples", "Samples", out)
    }

    /// The first eval prompts, each answered by every model (its first sample), with gold, RM score and length.
    private func sideBySide(_ final: FinalEvaluation, prompts count: Int = 12) -> String {
        let groups = Self.judgedResponses(final)
        let unit = Self.lengthUnit(groups.map(\.responses))
        let prompts = groups.flatMap { $0.responses.map(\.prompt) }.uniqued().prefix(count)
        let rows = prompts.map { prompt -> [Cell] in
            [.long(prompt)] + groups.map { group -> Cell in
                guard let sample = group.responses.first(where: { $0.prompt == prompt }) else { return .text("–") }
                let gold = sample.gold.map { "gold \(Markup.number($0))" } ?? "no gold"
                let eos = sample.reachedEOS ? "" : " · no EOS"
                let rm = (sample.rmScore as Double?).map { Markup.number($0) } ?? "–"
                return Cell(html: "<td class=\"text\">\(Markup.escape(sample.response))<div class=\"scores\">\(gold) · RM \(rm) · "
                    + "\(Int(unit.read(sample))) \(unit.label.hasPrefix("tokens") ? "tokens" : "chars")\(eos)</div></td>")
            }
        }
        let perPrompt = final.samplesPerPrompt ?? 1
        let note = "<p>The first \(prompts.count) of \(final.prompts) eval prompts, answered by each model"
            + (perPrompt > 1 ? " (the first of its \(perPrompt) samples at T=\(Markup.number(final.temperature)))" : "")
            + "; gold is the world's verifier (0–1), RM the reward model's score, length in \(unit.label).</p>\n"
        return "<h3>Same prompts, each model</h3>\n" + note + table(["Prompt"] + groups.map(\.model), rows, id: "side-by-side")
    }
}
