/// Catalog-derived facts only `rlhf report` can supply: node states, run ids, hashes, lineage.
struct ReportCatalogView: Sendable {
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
}
