import Engine
import EngineCore
import Foundation
import XCTest
@testable import Stages
import TestSupport

/// Every pipeline the repository ships loads and validates against the built-in node kinds.
final class ShippedPipelinesTests: XCTestCase {
    func testEveryShippedPipelineValidates() throws {
        let root = Repository.root
        let experiments = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("experiments").path)
        let paths = ["pipeline.json"] + experiments.sorted().map { "experiments/\($0)/pipeline.json" }
            .filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }
        XCTAssertTrue(paths.contains("experiments/style-noise/pipeline.json"))
        for path in paths {
            let pipeline = try PipelineLoader(registry: ShippedKinds.registry).load(path: root.appendingPathComponent(path).path)
            let name = path == "pipeline.json" ? "default" : URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
            XCTAssertEqual(pipeline.experiment, name, "\(path) names its own experiment, so its outputs do not collide")
        }
    }
}
