import Charts
import EngineCore

extension ReportDocument {
    /// SFT loss curves (train and validation), every scalar figure of `sft_eval.json` and its sample table.
    func sftSection() -> String {
        guard let eval = artifacts.sftEval.value else { return section("sft", "Supervised fine-tuning", unavailable(artifacts.sftEval)) }
        var out = ""
        let curves = JSONFacts.curves(eval).filter { $0.path.lowercased().contains("loss") }
        var series = curves.enumerated().map { ChartSeries(label: Self.curveName($1.path), points: $1.points, color: $0) }
        for other in compared {
            guard let value = other.artifacts.sftEval.value else { continue }
            series += JSONFacts.curves(value).filter { $0.path.lowercased().contains("loss") }.enumerated().map {
                ChartSeries(label: "\(other.name): \(Self.curveName($1.path))", points: $1.points, color: $0, dashed: true)
            }
        }
        let chart = LineChart(labels: ChartLabels(title: "SFT loss per step", x: "step", y: "cross-entropy (nats per response token)"), series: series, logScale: logLoss)
        var charts = chart.hasData ? figure(chart, caption: "Train and validation loss\(logLoss ? " (log scale)" : ""); validation is on the held-out split.") : ""
        if !chart.hasData {
            out += "<p class=\"missing\">missing field: no loss curve (an array of numbers, or of objects with a step, under a key containing \"loss\") in sft_eval.json.</p>\n"
        }
        let families = Self.goldByFamily(eval)
        if !families.isEmpty {
            let bars = BarChart(labels: ChartLabels(title: "Gold score by family: SFT vs baseline", x: "task family", y: "mean gold score (0–1)"), bars: families, range: 0...1)
            charts += figure(bars, caption: "From sft_eval.json: the SFT model (eval) and the base model it started from (baseline), on the eval prompts.")
        }
        out += charts.isEmpty ? "" : "<div class=\"charts\">\(charts)</div>\n"
        out += scalarTable(eval, compared: comparison?.artifacts.sftEval.value)
        if case .array(let samples)? = eval.objectValue?["samples"], !samples.isEmpty {
            out += "<h3>Greedy answers to the first eval prompts</h3>\n" + table(["Prompt", "Response", "EOS"], samples.compactMap { sample in
                guard let fields = sample.objectValue, let prompt = fields["prompt"]?.stringValue, let text = fields["text"]?.stringValue else { return nil }
                return [.long(prompt), .long(text), .text(fields["reached_eos"]?.boolValue == true ? "yes" : "no")]
            }, id: "sft-samples")
        }
        return section("sft", "Supervised fine-tuning", out + provenance(artifacts.sftEval.origin))
    }

    /// RM training curves (loss on its own log-scale chart; accuracy and margin apart), the calibration curve,
    /// each overlaid with every compared experiment, and the reward-versus-length scatter.
    func rewardModelSection() -> String {
        var out = ""
        if let eval = artifacts.rmEval.value {
            let scalars = JSONFacts.scalars(eval)
            var cards: [String] = []
            for (label, words) in [("Held-out accuracy", [["heldout", "accuracy"], ["held", "out", "accuracy"], ["accuracy"]]),
                                   ("Held-out mean margin", [["heldout", "mean", "margin"], ["mean", "margin"], ["margin"]]),
                                   ("Gold agreement (fresh pairs)", [["gold", "agreement", "accuracy"], ["gold", "agreement"]]), ("ECE", [["ece"]]),
                                   ("Spearman(reward, length)", [["spearman", "reward", "length"], ["spearman", "length"]])] {
                if let hit = JSONFacts.find(scalars, words) {
                    cards.append("<div class=\"kpi\"><span>\(Markup.escape(label))</span><b>\(Markup.number(hit.value))</b><span><code>\(Markup.escape(hit.path))</code></span></div>")
                }
            }
            out += cards.isEmpty ? "" : "<div class=\"headline\">\(cards.joined())</div>\n"
            var charts = rewardModelTrainingCharts(eval)
            if let calibration = calibrationChart(eval) {
                charts += figure(calibration, caption: "Dashed diagonal: perfect calibration. Points below it are over-confident."
                    + (compared.isEmpty ? "" : " Compared experiments in their own colours."))
            } else {
                out += "<p class=\"missing\">missing field: no calibration table (objects with a predicted and an observed value) in rm_eval.json.</p>\n"
            }
            out += charts.isEmpty ? "" : "<div class=\"charts\">\(charts)</div>\n"
            out += scalarTable(eval, compared: comparison?.artifacts.rmEval.value)
            out += provenance(artifacts.rmEval.origin)
        } else {
            out += unavailable(artifacts.rmEval)
        }
        out += lengthScatter()
        return section("rm", "Reward model", out)
    }

    /// The RM loss curves (log scale unless `logLoss` is off, with chance level ln 2) and, when recorded, the
    /// accuracy and margin curves; each experiment in its own colour, compared ones dashed.
    func rewardModelTrainingCharts(_ eval: JSONValue) -> String {
        let runs = [(name: experiment, eval: eval)] + compared.compactMap { other in other.artifacts.rmEval.value.map { (name: other.name, eval: $0) } }
        let overlaid = runs.count > 1
        func series(_ keep: @escaping (String) -> Bool) -> [ChartSeries] {
            runs.enumerated().flatMap { index, run in
                JSONFacts.curves(run.eval).filter { keep($0.path.lowercased()) }.enumerated().map { curve, item in
                    ChartSeries(label: (overlaid ? "\(run.name): " : "") + Self.curveName(item.path), points: item.points,
                                color: overlaid ? index : curve, dashed: index > 0)
                }
            }
        }
        var out = ""
        let losses = series { $0.contains("loss") }
        let xs = losses.flatMap { $0.points.map(\.x) }
        let chance = xs.min().flatMap { low in xs.max().map { (ChartPoint(x: low, y: 0.6931), ChartPoint(x: $0, y: 0.6931)) } }
        let loss = LineChart(labels: ChartLabels(title: "Reward model training loss", x: "step", y: "Bradley–Terry loss (nats per pair)"),
                             series: losses, reference: chance, logScale: logLoss)
        if loss.hasData {
            out += figure(loss, caption: "Loss per optimiser step from rm_eval.json\(logLoss ? ", log scale" : ""). Dashed line: ln 2 ≈ 0.693, "
                + "the loss of a reward model that cannot tell chosen from rejected.")
        }
        let isOther = { (path: String) in !path.contains("loss") && ["acc", "margin"].contains(where: path.contains) }
        let others = series(isOther)
        let paths = runs.flatMap { JSONFacts.curves($0.eval).map { $0.path.lowercased() }.filter(isOther) }
        let hasMargin = paths.contains { $0.contains("margin") }, hasAccuracy = paths.contains { $0.contains("acc") }
        let units = hasMargin ? (hasAccuracy ? "accuracy (fraction) / margin (RM units)" : "margin (RM units)") : "accuracy (fraction of pairs ranked right)"
        let curves = LineChart(labels: ChartLabels(title: "Reward model training accuracy and margin", x: "step", y: units), series: others)
        if curves.hasData { out += figure(curves, caption: "Curves recorded in rm_eval.json besides the loss.") }
        return out
    }

    /// Predicted against observed P(chosen) of this experiment and every compared one (nil without a calibration table).
    func calibrationChart(_ eval: JSONValue) -> LineChart? {
        let find = { (value: JSONValue) in
            JSONFacts.pairs(value, xWords: ["pred", "confidence", "prob", "mean_p"], yWords: ["observ", "freq", "empirical", "actual", "accuracy"])
        }
        guard let mine = find(eval) else { return nil }
        var series = [ChartSeries(label: compared.isEmpty ? "reward model" : experiment, points: mine.points.sorted { $0.x < $1.x }, color: 0)]
        for (index, other) in compared.enumerated() {
            guard let value = other.artifacts.rmEval.value, let theirs = find(value) else { continue }
            series.append(ChartSeries(label: other.name, points: theirs.points.sorted { $0.x < $1.x }, color: index + 1, dashed: true))
        }
        return LineChart(labels: ChartLabels(title: "Calibration: predicted vs observed P(chosen)", x: "predicted P(chosen) (\(mine.x))", y: "observed frequency (\(mine.y))"),
                         series: series, reference: (ChartPoint(x: 0, y: 0), ChartPoint(x: 1, y: 1)))
    }

    /// Every scalar figure of a JSON artifact, with the compared experiment's value and the delta.
    func scalarTable(_ value: JSONValue, compared: JSONValue?) -> String {
        let scalars = JSONFacts.scalars(value)
        guard !scalars.isEmpty else { return "" }
        if let compared {
            let other = Dictionary(JSONFacts.scalars(compared).map { ($0.path, $0.value) }, uniquingKeysWith: { a, _ in a })
            return table(["Figure", experiment, comparison!.name, "Δ (\(experiment) − \(comparison!.name))"], scalars.map { item -> [Cell] in
                let compared = other[item.path]
                return [.text(item.path), .number(item.value), .number(compared), .delta(compared.map { item.value - $0 })]
            })
        }
        var groups: [String: [(row: String, column: String, value: Double)]] = [:]
        var flat: [(path: String, value: Double)] = []
        for item in scalars {
            let parts = item.path.split(separator: ".").map(String.init)
            guard parts.count >= 3 else {
                flat.append(item)
                continue
            }
            groups[parts.dropLast(2).joined(separator: "."), default: []].append((parts[parts.count - 2], parts[parts.count - 1], item.value))
        }
        var out = ""
        for (prefix, cells) in groups.sorted(by: { $0.key < $1.key }) {
            let rows = cells.map(\.row).uniqued()
            guard rows.count > 1 else {
                flat += cells.map { ("\(prefix).\($0.row).\($0.column)", $0.value) }
                continue
            }
            let columns = cells.map(\.column).uniqued()
            let lookup = Dictionary(cells.map { ("\($0.row)\u{1}\($0.column)", $0.value) }, uniquingKeysWith: { a, _ in a })
            out += "<h3>\(Markup.escape(prefix))</h3>\n" + table([""] + columns, rows.map { row in [.text(row)] + columns.map { .number(lookup["\(row)\u{1}\($0)"]) } })
        }
        return table(["Figure", "Value"], flat.sorted { $0.path < $1.path }.map { [.text($0.path), .number($0.value)] }) + out
    }

    /// Bars of `<model>.by_family.<family>.mean_gold` figures (`eval` shown as SFT, `baseline` as base).
    static func goldByFamily(_ value: JSONValue) -> [ChartBar] {
        JSONFacts.scalars(value).compactMap { item in
            let parts = item.path.split(separator: ".").map(String.init)
            guard parts.count == 4, parts[1] == "by_family", parts[3] == "mean_gold" else { return nil }
            let model = parts[0] == "eval" ? "SFT" : (parts[0] == "baseline" ? "base" : parts[0])
            return ChartBar(group: parts[2], series: model, value: item.value)
        }.sorted { ($0.series == "base" ? 0 : 1, $0.group) < ($1.series == "base" ? 0 : 1, $1.group) }
    }

    /// A readable legend name for a JSON path (`curves.train_loss` → `train loss`).
    static func curveName(_ path: String) -> String {
        var parts = path.split(separator: ".").map(String.init)
        if parts.count > 1, let last = parts.last, parts[parts.count - 2].contains(last) { parts.removeLast() }
        return parts.joined(separator: " · ").replacingOccurrences(of: "_", with: " ")
    }
}
