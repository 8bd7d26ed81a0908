import Charts

/// The pipeline DAG drawn top to bottom as SVG: one row per depth, each box coloured by state.
struct DagDiagram {
    /// The nodes with their states, hashes and upstream names.
    var nodes: [ReportCatalogView.NodeState]

    private static let boxWidth = 190.0
    private static let boxHeight = 54.0
    private static let gapX = 18.0
    private static let gapY = 34.0
    private static let stateColors = ["built": "#1a7f37", "up to date": "#1a7f37", "not upstream": "#8c959f", "reused": "#0969da", "stale": "#9a6700",
                                      "blocked": "#cf222e", "never built": "#6e7781"]

    /// The diagram as an `<svg>` element.
    func svg() -> String {
        var depth: [String: Int] = [:]
        let byName = Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, $0) })
        func level(_ name: String, _ visiting: Set<String> = []) -> Int {
            if let known = depth[name] { return known }
            guard let node = byName[name], !visiting.contains(name) else { return 0 }
            let value = (node.upstream.filter { byName[$0] != nil }.map { level($0, visiting.union([name])) }.max() ?? -1) + 1
            depth[name] = value
            return value
        }
        for node in nodes { _ = level(node.name) }
        var rows = Dictionary(grouping: nodes.map(\.name), by: { depth[$0] ?? 0 }).sorted { $0.key < $1.key }.map(\.value)
        // Barycenter pass: order each row by the mean position of its upstream nodes in the rows above.
        var position: [String: Double] = [:]
        for r in rows.indices {
            if r > 0 {
                rows[r] = rows[r].enumerated().map { index, name -> (Double, String) in
                    let parents = byName[name]?.upstream.compactMap { position[$0] } ?? []
                    return (parents.isEmpty ? Double(index) : parents.reduce(0, +) / Double(parents.count), name)
                }.sorted { $0.0 < $1.0 }.map(\.1)
            }
            for (index, name) in rows[r].enumerated() { position[name] = Double(index) - Double(rows[r].count - 1) / 2 }
        }
        let columns = rows.map(\.count).max() ?? 1
        let width = Double(columns) * (Self.boxWidth + Self.gapX) + Self.gapX
        let height = Double(rows.count) * (Self.boxHeight + Self.gapY) + Self.gapY
        var center: [String: (x: Double, y: Double)] = [:]
        for (r, row) in rows.enumerated() {
            let rowWidth = Double(row.count) * (Self.boxWidth + Self.gapX) - Self.gapX
            for (c, name) in row.enumerated() {
                center[name] = ((width - rowWidth) / 2 + Double(c) * (Self.boxWidth + Self.gapX) + Self.boxWidth / 2,
                                Self.gapY + Double(r) * (Self.boxHeight + Self.gapY) + Self.boxHeight / 2)
            }
        }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dag\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"pipeline DAG\">"
        out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#8c959f\"/></marker></defs>"
        for node in nodes {
            guard let to = center[node.name] else { continue }
            for source in node.upstream {
                guard let from = center[source] else { continue }
                let y1 = from.y + Self.boxHeight / 2, y2 = to.y - Self.boxHeight / 2
                let bend = (y2 - y1) / 2
                out += "<path class=\"edge\" marker-end=\"url(#arrow)\" d=\"M\(Markup.coord(from.x)) \(Markup.coord(y1)) C\(Markup.coord(from.x)) \(Markup.coord(y1 + bend)) \(Markup.coord(to.x)) \(Markup.coord(y2 - bend)) \(Markup.coord(to.x)) \(Markup.coord(y2))\"/>"
            }
        }
        for node in nodes {
            guard let c = center[node.name] else { continue }
            let color = Self.stateColors[node.state] ?? "#6e7781"
            let x = c.x - Self.boxWidth / 2, y = c.y - Self.boxHeight / 2
            let hash = node.state + " · " + (node.outputs.first.map { "\($0.name) \(String($0.hash.prefix(8)))" } ?? "no artifact")
            out += "<a href=\"#node-\(Markup.anchor(node.name))\"><g class=\"node\">"
            out += "<rect x=\"\(Markup.coord(x))\" y=\"\(Markup.coord(y))\" width=\"\(Self.boxWidth)\" height=\"\(Self.boxHeight)\" rx=\"6\" fill=\"#fff\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            out += "<rect x=\"\(Markup.coord(x))\" y=\"\(Markup.coord(y))\" width=\"6\" height=\"\(Self.boxHeight)\" rx=\"2\" fill=\"\(color)\"/>"
            out += "<text class=\"name\" x=\"\(Markup.coord(x + 12))\" y=\"\(Markup.coord(y + 16))\">\(Markup.escape(Self.clip(node.name, 20)))</text>"
            out += "<text x=\"\(Markup.coord(x + 12))\" y=\"\(Markup.coord(y + 31))\">\(Markup.escape(Self.clip(node.kind, 26)))</text>"
            out += "<text class=\"small\" x=\"\(Markup.coord(x + 12))\" y=\"\(Markup.coord(y + 46))\">\(Markup.escape(Self.clip(hash, 27)))</text>"
            out += "<title>\(Markup.escape("\(node.name) (\(node.kind)): \(node.state)\(node.runId.map { ", run \($0)" } ?? "")"))</title></g></a>"
        }
        return out + "</svg>"
    }

    private static func clip(_ text: String, _ length: Int) -> String {
        text.count > length ? String(text.prefix(length - 1)) + "…" : text
    }
}

extension ReportDocument {
    /// The DAG section.
    func dagSection(_ catalog: ReportCatalogView) -> String {
        section("dag", "Pipeline DAG", "<p>Each box is a node: its kind, its state now and the short hash of its first artifact. Click a box for its row in the node table.</p>\n"
            + DagDiagram(nodes: catalog.nodes).svg() + "\n")
    }
}
