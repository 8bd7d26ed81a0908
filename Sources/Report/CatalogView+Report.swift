import EngineCore
import Foundation
import Stages

extension ReportCatalogView {
    /// The catalog part of the page a `report` node renders inside a build: every node upstream of it
    /// with what this build did with it (built, reused, up to date) and its run; nodes not upstream of
    /// the report are not settled when it runs, so they say so.
    init(build view: CatalogView, root: URL) {
        var standings: [String: NodeStanding] = [:]
        var failedGates: Set<String> = []
        for name in view.pipeline.order {
            if name == view.viewer {
                standings[name] = NodeStanding(state: "built", detail: "this report")
            } else if let entry = view.runs[name] {
                let run = entry.detail.run
                let detail = run.status == "reused" ? run.sourceRun.map { "served run \($0)" } : nil
                standings[name] = NodeStanding(state: entry.action.rawValue, detail: detail, runId: entry.runId, current: entry.detail)
                if entry.detail.gates.contains(where: \.blocks) || view.pipeline.nodes[name].map({ Self.verdictFails($0, root: root) }) == true {
                    failedGates.insert(name)
                }
            } else {
                standings[name] = NodeStanding(state: "not upstream", detail: "not an input of \(view.viewer); `rlhf report` shows it")
            }
        }
        self.init(pipeline: view.pipeline, standings: standings, failedGates: failedGates, root: root)
    }

    /// Whether the node's `verdict` output under `root` is a failed, blocking gate verdict (for gates the catalog did not record).
    public static func verdictFails(_ node: Node, root: URL) -> Bool {
        guard let path = node.outputs["verdict"],
              let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path),
              let report = try? JSONDecoder().decode(GateReport.self, from: data) else { return false }
        return report.status == .fail && report.severity == "error"
    }
}
