import Charts
import Foundation
import Stages

extension ReportDocument {
    /// Title, metadata, node states and the navigation bar.
    func header() -> String {
        let formatter = ISO8601DateFormatter()
        var out = "<header><h1>RLHF report: \(Markup.escape(experiment))</h1>\n"
        var meta: [[Cell]] = [[.text("Experiment"), .text(experiment)], [.text("As of"), .text(formatter.string(from: generated))]]
        if let catalog { meta.append([.text("Pipeline hash"), .raw("<span class=\"hash\">\(String(catalog.pipelineHash.prefix(16)))</span>")]) }
        if !compared.isEmpty {
            let names = compared.map { "<b>\(Markup.escape($0.name))</b>" }.joined(separator: ", ")
            let scope = compared.count > 1 ? "; the tables, gate and gold bars compare with the first" : ""
            meta.append([.text("Compared with"), .raw("\(names) (dashed lines and extra bars, labelled with the experiment's name\(scope))")])
        }
        out += "<table class=\"meta\"><tbody>" + meta.map { "<tr>" + $0.map(\.html).joined() + "</tr>" }.joined() + "</tbody></table>\n"
        out += "<nav>" + [("states", "Nodes"), ("dag", "DAG"), ("gates", "Gates"), ("sft", "SFT"), ("rm", "Reward model"), ("ppo", "PPO"),
                          ("final", "Final evaluation"), ("samples", "Samples"), ("lineage", "Lineage")]
            .filter { catalog != nil || !["states", "dag"].contains($0.0) }
            .map { "<a href=\"#\($0.0)\">\($0.1)</a>" }.joined() + "</nav></header>\n"
        if let catalog { out += statesSection(catalog) }
        return out
    }

    /// The state of every node with its run id and output hashes.
    func statesSection(_ catalog: ReportCatalogView) -> String {
        let rows = catalog.nodes.map { node -> [Cell] in
            let state = "<span class=\"state s-\(Markup.anchor(node.state))\">\(Markup.escape(node.state))</span>"
                + (node.detail.map { " <small>\(Markup.escape($0))</small>" } ?? "")
            let hashes = node.outputs.map { "\(Markup.escape($0.name)) <span class=\"hash\">\(String($0.hash.prefix(12)))</span>" }.joined(separator: "<br/>")
            return [Cell(html: "<td id=\"node-\(Markup.anchor(node.name))\"><b>\(Markup.escape(node.name))</b></td>"), .text(node.kind),
                    .raw(state), .text(node.runId.map { "run \($0)" } ?? "–"), .raw(hashes.isEmpty ? "–" : hashes)]
        }
        return section("states", "Nodes", table(["Node", "Kind", "State", "Run", "Artifacts"], rows, id: "node-states"))
    }

    /// The figures an engineer looks at first: did the policy beat SFT on the gold judge, and is it hacking the RM?
    func headline() -> String {
        guard let final = artifacts.finalEval.value else { return "" }
        var cards: [String] = []
        if let policy = final.model("policy"), let sft = final.model("sft"), let policyGold = policy.goldMean, let sftGold = sft.goldMean {
            let gain = policyGold - sftGold
            let decoding = final.temperature == 0 ? "greedy" : "sampled at T=\(Markup.number(final.temperature))"
            var detail = "\(gain >= 0 ? "+" : "")\(Markup.number(gain)) absolute, \(decoding)"
            if let greedyPolicy = policy.greedyGold, let greedySFT = sft.greedyGold {
                detail += "; greedy \(Markup.number(greedyPolicy.goldMean)) vs \(Markup.number(greedySFT.goldMean))"
            }
            cards.append("<div class=\"kpi\"><span>Gold score, policy vs SFT</span><b class=\"\(gain > 0 ? "good" : "bad")\">\(Markup.number(policyGold)) vs \(Markup.number(sftGold))</b><span>\(detail)</span></div>")
        }
        if let win = final.winRates.first(where: { $0.a == "policy" && $0.b == "sft" && $0.judge == "gold" }) {
            cards.append("<div class=\"kpi\"><span>Gold win rate vs SFT (95% CI)</span><b class=\"\(win.ciLow > 0.5 ? "good" : (win.ciHigh < 0.5 ? "bad" : ""))\">\(Markup.number(win.winRate))</b><span>[\(Markup.number(win.ciLow)), \(Markup.number(win.ciHigh))]</span></div>")
        }
        if let policy = final.model("policy") {
            let note = policy.klToSFT < 0 ? "nats per response; <a href=\"#negative-kl\">below 0 is estimation noise</a>" : "nats per response"
            cards.append("<div class=\"kpi\"><span>KL to SFT (estimate)</span><b>\(Markup.number(policy.klToSFT))</b><span>\(note)</span></div>")
        }
        if let win = final.winRates.first(where: { $0.a == "policy" && $0.b == "sft" && $0.judge == "command" }) {
            cards.append("<div class=\"kpi\"><span>Command-judge win rate vs SFT (95% CI)</span><b class=\"\(win.ciLow > 0.5 ? "good" : (win.ciHigh < 0.5 ? "bad" : ""))\">\(Markup.number(win.winRate))</b><span>[\(Markup.number(win.ciLow)), \(Markup.number(win.ciHigh))]</span></div>")
        }
        guard let hacking = final.rewardHacking else { return "<div class=\"headline\">\(cards.joined())</div>\n" }
        cards.append("<div class=\"kpi\"><span>Reward hacking</span><b class=\"\(hacking.suspected ? "bad" : "good")\">\(hacking.suspected ? "suspected" : "not seen")</b><span>length ×\(Markup.number(hacking.lengthRatio)) vs SFT</span></div>")
        return "<div class=\"headline\">\(cards.joined())</div>\n<p>\(Markup.escape(hacking.verdict))</p>\n"
    }

    /// Lineage in words, each hash linking to its node's row.
    func lineageSection() -> String {
        guard let catalog else {
            return section("lineage", "Lineage", "<p class=\"missing\">Lineage comes from the catalog; run <code>rlhf report</code> to include it.</p>\n" + inputsList())
        }
        guard !catalog.lineage.isEmpty else {
            return section("lineage", "Lineage", "<p class=\"missing\">No model has been built yet, so there is no lineage to tell.</p>\n")
        }
        let items = catalog.lineage.map { phrases in
            "<li>" + phrases.map { phrase -> String in
                switch phrase {
                case let .text(text): return Markup.escape(text)
                case let .hash(hash, node):
                    return "<a class=\"hash\" href=\"#node-\(Markup.anchor(node))\">\(String(hash.prefix(12)))</a>"
                }
            }.joined() + "</li>"
        }
        return section("lineage", "Lineage", "<ul class=\"lineage\">\(items.joined())</ul>\n" + inputsList())
    }

    /// Every artifact the report read, with path and hash.
    private func inputsList() -> String {
        var rows: [[Cell]] = []
        func add<T>(_ name: String, _ loaded: Loaded<T>) {
            switch loaded {
            case let .value(_, origin): rows.append([.text(name), .raw("<code>\(Markup.escape(origin.path))</code>"), .raw("<span class=\"hash\">\(origin.hash.map { String($0.prefix(12)) } ?? "–")</span>")])
            case .absent: rows.append([.text(name), .raw("<i>not built</i>"), .text("–")])
            case .unreadable: rows.append([.text(name), .raw("<i>unreadable</i>"), .text("–")])
            }
        }
        add("sft_eval", artifacts.sftEval)
        add("rm_eval", artifacts.rmEval)
        add("ppo_metrics", artifacts.ppoMetrics)
        add("final_eval", artifacts.finalEval)
        add("base_probe", artifacts.baseProbe)
        for gate in artifacts.gates { add(gate.name, gate.report) }
        for probe in artifacts.probes { add("probe: \(probe.name)", probe.lines) }
        return "<h3>Artifacts shown</h3>\n" + table(["Artifact", "Path", "Hash"], rows)
    }
}
