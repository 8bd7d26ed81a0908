import Foundation
import XCTest
@testable import Report

/// The report's DAG: layered, full names, no box overlapping another and no edge through a box.
final class DagDiagramTests: XCTestCase {
    /// The default pipeline's shape in miniature: gates that feed nodes several layers down.
    private let nodes: [ReportCatalogView.NodeState] = [
        ("world", []), ("corpus", ["world"]), ("sft_data", ["world"]), ("pretrain", ["corpus"]),
        ("gate_length_bias_preferences_with_a_long_name", ["sft_data"]), ("sft", ["pretrain", "sft_data"]),
        ("preferences", ["sft", "world"]), ("reward_model", ["preferences", "gate_length_bias_preferences_with_a_long_name"]),
        ("ppo", ["sft", "reward_model", "world"]), ("evaluate", ["ppo", "sft", "world", "pretrain"]),
        ("report", ["evaluate", "gate_length_bias_preferences_with_a_long_name", "world"]),
    ].map { ReportCatalogView.NodeState(name: $0.0, kind: "k", state: "built", detail: nil, runId: nil, outputs: [], upstream: $0.1) }

    func testNoBoxOverlapsAnotherAndNoEdgeCrossesABox() {
        let layout = DagDiagram(nodes: nodes).layout()
        XCTAssertEqual(layout.boxes.count, nodes.count)
        let boxes = Array(layout.boxes)
        for i in boxes.indices {
            for j in boxes.indices where j > i {
                let a = boxes[i].value, b = boxes[j].value
                let overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
                XCTAssertFalse(overlap, "\(boxes[i].key) overlaps \(boxes[j].key)")
            }
        }
        XCTAssertEqual(layout.edges.count, nodes.map(\.upstream.count).reduce(0, +))
        for edge in layout.edges {
            XCTAssertEqual(edge.points.first?.y, layout.boxes[edge.from].map { $0.y + $0.height }, "starts at the bottom of \(edge.from)")
            XCTAssertEqual(edge.points.last?.y, layout.boxes[edge.to]?.y, "ends at the top of \(edge.to)")
            // Sample every segment: a point strictly inside a box other than the ends is a crossing.
            for (a, b) in zip(edge.points, edge.points.dropFirst()) {
                for step in 0...20 {
                    let t = Double(step) / 20
                    let point = (x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t)
                    for (name, box) in layout.boxes where point.x > box.x && point.x < box.x + box.width && point.y > box.y && point.y < box.y + box.height {
                        XCTFail("edge \(edge.from) → \(edge.to) crosses \(name)")
                    }
                }
            }
        }
    }

    func testFullNamesAreDrawn() {
        let svg = DagDiagram(nodes: nodes).svg()
        XCTAssertTrue(svg.contains(">gate_length_bias_preferences_with_a_long_name</text>"))
        XCTAssertFalse(svg.contains("…"))
    }
}
