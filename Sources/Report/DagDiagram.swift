import Charts
import Training

/// The pipeline DAG drawn top to bottom as SVG, in layers: one row per depth, each box coloured by
/// state and wide enough for the longest name. An edge that skips layers passes through a narrow
/// slot of its own in every row it crosses, so no edge runs through a box.
struct DagDiagram {
    /// The nodes with their states, hashes and upstream names.
    var nodes: [ReportCatalogView.NodeState]

    private static let minBoxWidth = 190.0
    private static let characterWidth = 7.4
    private static let boxHeight = 54.0
    private static let slotWidth = 10.0
    private static let gapX = 18.0
    private static let gapY = 34.0
    private static let stateColors = ["built": "#1a7f37", "up to date": "#1a7f37", "not upstream": "#8c959f", "reused": "#0969da", "stale": "#9a6700",
                                      "blocked": "#cf222e", "never built": "#6e7781"]

    /// A box or an edge's slot in a row.
    struct Rect: Equatable {
        /// Left edge.
        var x: Double
        /// Top edge.
        var y: Double
        /// Width.
        var width: Double
        /// Height.
        var height: Double
    }

    /// Where everything goes: node boxes, and each edge as waypoints (source bottom, the top and
    /// bottom of each slot it passes, target top).
    struct Layout {
        /// Box of each node.
        var boxes: [String: Rect]
        /// Each edge's waypoints, source to target.
        var edges: [(from: String, to: String, points: [(x: Double, y: Double)])]
        /// Canvas width.
        var width: Double
        /// Canvas height.
        var height: Double
    }

    /// The layered layout: depth = longest path from a source; long edges get a slot per crossed row;
    /// rows are ordered by the barycenter of their parents, then placed left to right, centred.
    func layout() -> Layout {
        let byName = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var depth: [String: Int] = [:]
        func level(_ name: String, _ visiting: Set<String> = []) -> Int {
            if let known = depth[name] { return known }
            guard let node = byName[name], !visiting.contains(name) else { return 0 }
            let value = (node.upstream.filter { byName[$0] != nil }.map { level($0, visiting.union([name])) }.max() ?? -1) + 1
            depth[name] = value
            return value
        }
        for node in nodes { _ = level(node.name) }
        let boxWidth = max(Self.minBoxWidth, Double(nodes.map { max($0.name.count, $0.kind.count) }.max() ?? 0) * Self.characterWidth + 24,
                           Double(nodes.map { Self.stateLine($0).count }.max() ?? 0) * Self.characterWidth * 0.85 + 24)
        // Items: nodes and slots ("\u{0}edge index\u{0}layer"); parents drive the barycenter ordering.
        var parents: [String: [String]] = [:]
        var chains: [(from: String, to: String, slots: [String])] = []
        let layers = (depth.values.max() ?? 0) + 1
        var rows = Array(repeating: [String](), count: layers)
        for node in nodes { rows[depth[node.name] ?? 0].append(node.name) }
        for node in nodes {
            for source in node.upstream where byName[source] != nil {
                let top = depth[source] ?? 0, bottom = depth[node.name] ?? 0
                var previous = source
                var slots: [String] = []
                if bottom > top + 1 {
                    for layer in (top + 1)..<bottom {
                        let slot = "\u{0}\(chains.count)\u{0}\(layer)"
                        rows[layer].append(slot)
                        parents[slot] = [previous]
                        slots.append(slot)
                        previous = slot
                    }
                }
                parents[node.name, default: []].append(previous)
                chains.append((source, node.name, slots))
            }
        }
        var position: [String: Double] = [:]
        for r in rows.indices {
            if r > 0 {
                rows[r] = rows[r].enumerated().map { index, item -> (Double, Int, String) in
                    let known = (parents[item] ?? []).compactMap { position[$0] }
                    return (Statistics.mean(known, ifEmpty: Double(index)), index, item)
                }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
            }
            for (index, item) in rows[r].enumerated() { position[item] = Double(index) - Double(rows[r].count - 1) / 2 }
        }
        func itemWidth(_ item: String) -> Double { item.hasPrefix("\u{0}") ? Self.slotWidth : boxWidth }
        let rowWidths = rows.map { row in row.map(itemWidth).reduce(0, +) + Double(max(0, row.count - 1)) * Self.gapX }
        let width = (rowWidths.max() ?? 0) + 2 * Self.gapX
        let height = Double(rows.count) * (Self.boxHeight + Self.gapY) + Self.gapY
        var rects: [String: Rect] = [:]
        for (r, row) in rows.enumerated() {
            var x = (width - rowWidths[r]) / 2
            let y = Self.gapY + Double(r) * (Self.boxHeight + Self.gapY)
            for item in row {
                rects[item] = Rect(x: x, y: y, width: itemWidth(item), height: Self.boxHeight)
                x += itemWidth(item) + Self.gapX
            }
        }
        let edges = chains.compactMap { chain -> (from: String, to: String, points: [(x: Double, y: Double)])? in
            guard let from = rects[chain.from], let to = rects[chain.to] else { return nil }
            var points = [(x: from.x + from.width / 2, y: from.y + from.height)]
            for slot in chain.slots {
                guard let rect = rects[slot] else { continue }
                points.append((rect.x + rect.width / 2, rect.y))
                points.append((rect.x + rect.width / 2, rect.y + rect.height))
            }
            points.append((to.x + to.width / 2, to.y))
            return (chain.from, chain.to, points)
        }
        return Layout(boxes: rects.filter { !$0.key.hasPrefix("\u{0}") }, edges: edges, width: width, height: height)
    }

    /// The third line of a box: state and the short hash of the first artifact.
    private static func stateLine(_ node: ReportCatalogView.NodeState) -> String {
        node.state + " · " + (node.outputs.first.map { "\($0.name) \(String($0.hash.prefix(8)))" } ?? "no artifact")
    }

    /// The diagram as an `<svg>` element.
    func svg() -> String {
        let layout = layout()
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dag\" viewBox=\"0 0 \(Int(layout.width)) \(Int(layout.height))\" width=\"\(Int(layout.width))\" height=\"\(Int(layout.height))\" role=\"img\" aria-label=\"pipeline DAG\">"
        out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#8c959f\"/></marker></defs>"
        for edge in layout.edges {
            // Straight down through each slot, an S-curve across each gap between rows.
            var d = "M\(Markup.coord(edge.points[0].x)) \(Markup.coord(edge.points[0].y))"
            for index in 1..<edge.points.count {
                let a = edge.points[index - 1], b = edge.points[index]
                if a.x == b.x || index % 2 == 0 {
                    d += " L\(Markup.coord(b.x)) \(Markup.coord(b.y))"
                } else {
                    let bend = (b.y - a.y) / 2
                    d += " C\(Markup.coord(a.x)) \(Markup.coord(a.y + bend)) \(Markup.coord(b.x)) \(Markup.coord(b.y - bend)) \(Markup.coord(b.x)) \(Markup.coord(b.y))"
                }
            }
            out += "<path class=\"edge\" fill=\"none\" marker-end=\"url(#arrow)\" d=\"\(d)\"/>"
        }
        for node in nodes {
            guard let box = layout.boxes[node.name] else { continue }
            let color = Self.stateColors[node.state] ?? "#6e7781"
            let x = box.x, y = box.y
            let hash = Self.stateLine(node)
            out += "<a href=\"#node-\(Markup.anchor(node.name))\"><g class=\"node\">"
            out += "<rect x=\"\(Markup.coord(x))\" y=\"\(Markup.coord(y))\" width=\"\(Markup.coord(box.width))\" height=\"\(Self.boxHeight)\" rx=\"6\" fill=\"#fff\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            out += "<rect x=\"\(Markup.coord(x))\" y=\"\(Markup.coord(y))\" width=\"6\" height=\"\(Self.boxHeight)\" rx=\"2\" fill=\"\(color)\"/>"
            out += "<text class=\"name\" x=\"\(Markup.coord(x + 12))\" y=\"\(Markup.coord(y + 16))\">\(Markup.escape(node.name))</text>"
            out += "<text x=\"\(Markup.coord(x + 12))\" y=\"\(Markup.coord(y + 31))\">\(Markup.escape(node.kind))</text>"
            out += "<text class=\"small\" x=\"\(Markup.coord(x + 12))\" y=\"\(Markup.coord(y + 46))\">\(Markup.escape(hash))</text>"
            out += "<title>\(Markup.escape("\(node.name) (\(node.kind)): \(node.state)\(node.runId.map { ", run \($0)" } ?? "")"))</title></g></a>"
        }
        return out + "</svg>"
    }
}

extension ReportDocument {
    /// The DAG section.
    func dagSection(_ catalog: ReportCatalogView) -> String {
        section("dag", "Pipeline DAG", "<p>Each box is a node: its kind, its state now and the short hash of its first artifact. Click a box for its row in the node table.</p>\n"
            + DagDiagram(nodes: catalog.nodes).svg() + "\n")
    }
}
