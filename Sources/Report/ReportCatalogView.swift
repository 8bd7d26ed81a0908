import EngineCore
import Foundation

/// Catalog-derived facts only `rlhf report` can supply: node states, run ids, hashes, lineage.
public struct ReportCatalogView: Sendable {
    /// One pipeline node as the catalog sees it now.
    struct NodeState: Sendable {
        /// Node name.
        var name: String
        /// Kind name.
        var kind: String
        /// `built`, `reused`, `up-to-date`, `stale`, `blocked` or `never built`.
        var state: String
        /// Why (reason of a stale node, the gate that blocks it), when there is something to say.
        var detail: String?
        /// The run that produced the current outputs, if any.
        var runId: Int64?
        /// Output name → content hash hex.
        var outputs: [(name: String, hash: String)]
        /// Upstream node names.
        var upstream: [String]
    }

    /// One piece of a lineage sentence.
    enum Phrase: Sendable {
        /// Plain words.
        case text(String)
        /// An artifact hash that links to the node that made it.
        case hash(String, node: String)
    }

    /// Hash of the canonical pipeline definition.
    var pipelineHash: String
    /// Every node in pipeline order.
    var nodes: [NodeState]
    /// Lineage sentences, most downstream model first.
    var lineage: [[Phrase]]
    /// Gate nodes whose failed verdict the build went past (overridden), by node name.
    var overriddenGates: Set<String>
    /// Metric points of `command` nodes (outside trainers), in pipeline order; nodes without points are left out.
    var commandMetrics: [(node: String, runId: Int64?, points: [MetricPoint])] = []
}

/// Where one node stands for a report: its state words, its run id and, when its outputs are current, the run's detail.
public struct NodeStanding: Sendable {
    /// `built`, `reused`, `up to date`, `stale`, `blocked`, `never built` or `not upstream`.
    public var state: String
    /// Why, when there is something to say.
    public var detail: String?
    /// The run shown in the Run column.
    public var runId: Int64?
    /// The run whose outputs the node's paths hold, when they are current (gives hashes and lineage).
    public var current: RunDetail?

    /// Creates a standing.
    public init(state: String, detail: String? = nil, runId: Int64? = nil, current: RunDetail? = nil) {
        self.state = state
        self.detail = detail
        self.runId = runId
        self.current = current
    }
}

extension ReportCatalogView {
    /// The view of `pipeline` with one standing per node (missing: never built); gate nodes in
    /// `failedGates` count as overridden once a node below them has current outputs. `root` is the
    /// workspace, where lineage counts the lines of preference sets.
    public init(pipeline: Pipeline, standings: [String: NodeStanding], failedGates: Set<String>, root: URL) {
        let current = standings.compactMapValues(\.current)
        let recorded = Set(current.values.flatMap { $0.overrides.map(\.gateNode) })
        let overridden = recorded.union(failedGates.filter { gate in pipeline.downstream(of: [gate]).contains { current[$0] != nil } })
        let nodes = pipeline.order.compactMap { name -> NodeState? in
            guard let node = pipeline.nodes[name] else { return nil }
            let standing = standings[name] ?? NodeStanding(state: "never built")
            let outputs = (standing.current?.outputs ?? []).sorted { $0.name < $1.name }.map { (name: $0.name, hash: $0.artifact) }
            return NodeState(name: name, kind: node.kind, state: standing.state, detail: standing.detail, runId: standing.runId,
                             outputs: outputs, upstream: node.dependencies)
        }
        self.init(pipelineHash: pipeline.definitionHash.hex, nodes: nodes,
                  lineage: LineageWords(pipeline: pipeline, runs: current, overridden: overridden, root: root).sentences(),
                  overriddenGates: overridden,
                  commandMetrics: pipeline.order.compactMap { name in
                      guard pipeline.nodes[name]?.kind == "command", let run = current[name], !run.metrics.isEmpty else { return nil }
                      return (name, run.run.id, run.metrics)
                  })
    }
}
