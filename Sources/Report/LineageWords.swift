import EngineCore
import Foundation

/// Lineage told in sentences: "policy <hash> was trained by run N from sft <hash> and reward_model <hash>".
struct LineageWords {
    /// The experiment.
    var pipeline: Pipeline
    /// The run behind each node whose outputs are current.
    var runs: [String: RunDetail]
    /// Gates the build went past.
    var overridden: Set<String>
    /// The workspace root (preference sets are read there to count pairs).
    var root: URL

    /// Kinds told first, most downstream first; other kinds follow in reverse pipeline order.
    static let storyKinds = ["evaluate", "ppo", "reward_model", "preferences", "sft", "pretrain", "import"]

    /// One sentence per built node, except sources, gates and reports (gates appear as overrides).
    func sentences() -> [[ReportCatalogView.Phrase]] {
        let ordered = Array(pipeline.order.reversed()).filter { name in
            guard let kind = pipeline.nodes[name]?.kind else { return false }
            return kind != "file" && kind != "report" && !kind.hasPrefix("gate.")
        }.sorted { a, b in
            (Self.storyKinds.firstIndex(of: pipeline.nodes[a]!.kind) ?? 99) < (Self.storyKinds.firstIndex(of: pipeline.nodes[b]!.kind) ?? 99)
        }
        return ordered.compactMap { name in
            guard let detail = runs[name], let run = detail.run.id else { return nil }
            return sentence(name, run: run, detail: detail)
        }
    }

    private func sentence(_ name: String, run: Int64, detail: RunDetail) -> [ReportCatalogView.Phrase] {
        let kind = pipeline.nodes[name]?.kind ?? detail.run.kind
        var phrases: [ReportCatalogView.Phrase] = [.text("\(name) ")]
        if let main = detail.outputs.sorted(by: { $0.name < $1.name }).first {
            phrases.append(.hash(main.artifact, node: name))
        }
        if kind == "preferences", let pairs = pairCount(detail) { phrases.append(.text(" (\(pairs) pairs)")) }
        let verb = ["ppo", "sft", "reward_model", "pretrain"].contains(kind) ? "trained" : (kind == "evaluate" ? "evaluated" : "built")
        if detail.run.status == "reused", let source = detail.run.sourceRun {
            phrases.append(.text(" was \(verb) by run \(source) (served again by run \(run))"))
        } else {
            phrases.append(.text(" was \(verb) by run \(run)"))
        }
        let inputs = detail.inputs.sorted { $0.role < $1.role }
        if !inputs.isEmpty { phrases.append(.text(" from ")) }
        for (index, input) in inputs.enumerated() {
            if index > 0 { phrases.append(.text(index == inputs.count - 1 ? " and " : ", ")) }
            let upstream = input.upstreamNode.isEmpty ? input.path : input.upstreamNode
            phrases.append(.text(input.role == upstream ? "\(upstream) " : "\(input.role) (\(upstream)) "))
            phrases.append(.hash(input.artifact, node: pipeline.nodes[upstream] == nil ? name : upstream))
        }
        let past = Set(detail.overrides.map(\.gateNode)).union(pipeline.closure(of: [name]).filter { $0 != name && overridden.contains($0) }).sorted()
        if !past.isEmpty { phrases.append(.text(", built past failed gate\(past.count == 1 ? "" : "s") \(past.joined(separator: ", ")) (overridden)")) }
        phrases.append(.text("."))
        return phrases
    }

    /// Non-empty lines of the preference set's first JSONL output.
    private func pairCount(_ detail: RunDetail) -> Int? {
        guard let output = detail.outputs.first(where: { $0.path.hasSuffix(".jsonl") }) ?? detail.outputs.first,
              let data = try? Data(contentsOf: root.appendingPathComponent(output.path)) else { return nil }
        return data.split(separator: UInt8(ascii: "\n")).count
    }
}
