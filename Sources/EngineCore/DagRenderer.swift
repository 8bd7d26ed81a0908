/// The pipeline DAG as text, Graphviz dot or Mermaid (`rlhf dag`).
public enum DagRenderer {
    /// Output formats.
    public enum Format: String, CaseIterable, Sendable {
        /// One line per node with its inputs.
        case text
        /// Graphviz dot.
        case dot
        /// Mermaid flowchart.
        case mermaid
        /// JSON: `{"experiment", "nodes": [{"name", "kind", "outputs", "replica"?}], "edges": [{"from", "to", "role", "orderOnly"}]}`
        /// (`replica`: `{"base", "seed"}` of a node cloned by `"replicate"`).
        case json
    }

    /// Renders `pipeline` in `format`.
    public static func render(_ pipeline: Pipeline, format: Format) -> String {
        switch format {
        case .text:
            return pipeline.order.map { name in
                let node = pipeline.nodes[name]!
                let inputs = node.inputs.keys.sorted().map { "\($0)=\(node.inputs[$0]!)" } + node.after.map { "after \($0)" }
                let replica = node.replica.map { " (\($0.base), seed \($0.seed))" } ?? ""
                return "\(name) [\(node.kind)]\(replica)" + (inputs.isEmpty ? "" : " ← " + inputs.joined(separator: ", "))
            }.joined(separator: "\n")
        case .dot:
            var lines = ["digraph \"\(pipeline.experiment)\" {", "  rankdir=LR;"]
            for name in pipeline.order {
                lines.append("  \"\(name)\" [label=\"\(name)\\n\(pipeline.nodes[name]!.kind)\"];")
            }
            for edge in edges(pipeline) {
                lines.append("  \"\(edge.from)\" -> \"\(edge.to)\" [label=\"\(edge.label)\"\(edge.orderOnly ? ", style=dashed" : "")];")
            }
            return (lines + ["}"]).joined(separator: "\n")
        case .mermaid:
            var lines = ["flowchart LR"]
            for name in pipeline.order {
                lines.append("  \(name)[\"\(name)<br/>\(pipeline.nodes[name]!.kind)\"]")
            }
            for edge in edges(pipeline) {
                lines.append(edge.orderOnly ? "  \(edge.from) -.-> \(edge.to)" : "  \(edge.from) -->|\(edge.label)| \(edge.to)")
            }
            return lines.joined(separator: "\n")
        case .json:
            let nodes: [JSONValue] = pipeline.order.map { name in
                let node = pipeline.nodes[name]!
                var fields: [String: JSONValue] = ["name": .string(name), "kind": .string(node.kind),
                                                   "outputs": .object(node.outputs.mapValues { JSONValue.string($0) })]
                if let replica = node.replica { fields["replica"] = .object(["base": .string(replica.base), "seed": .int(Int64(bitPattern: replica.seed))]) }
                return .object(fields)
            }
            let edges: [JSONValue] = edges(pipeline).map {
                .object(["from": .string($0.from), "to": .string($0.to), "role": .string($0.label), "orderOnly": .bool($0.orderOnly)])
            }
            return JSONValue.object(["experiment": .string(pipeline.experiment), "nodes": .array(nodes), "edges": .array(edges)]).canonical
        }
    }

    private static func edges(_ pipeline: Pipeline) -> [(from: String, to: String, label: String, orderOnly: Bool)] {
        pipeline.order.flatMap { name -> [(from: String, to: String, label: String, orderOnly: Bool)] in
            let node = pipeline.nodes[name]!
            return node.inputs.keys.sorted().map { (node.inputs[$0]!.node, name, $0, false) } + node.after.map { ($0, name, "after", true) }
        }
    }
}
