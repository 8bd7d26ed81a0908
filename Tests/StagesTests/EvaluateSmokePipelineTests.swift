import Engine
import Foundation
import XCTest
@testable import Stages

/// The smoke pipeline, now with `ppo` and `evaluate`, builds end to end and a second build runs nothing.
final class EvaluateSmokePipelineTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private let registry = StageKinds.registry.adding(ppoStageKinds)

    private func build(_ root: URL) throws -> BuildSummary {
        let pipelineText = try Data(contentsOf: Self.repository.appendingPathComponent("experiments/smoke/pipeline.json"))
        try pipelineText.write(to: root.appendingPathComponent("pipeline.json"))
        let pipeline = try PipelineLoader(registry: registry).load(path: root.appendingPathComponent("pipeline.json").path)
        return try Executor(workspace: try Workspace(root: root), pipeline: pipeline, registry: registry, output: { _ in })
            .build(BuildOptions())
    }

    func testSmokePipelineRunsThroughEvaluate() throws {
        let h = try StageHarness()
        let first = try build(h.root)
        XCTAssertTrue(first.succeeded, "\(first.errors)")
        XCTAssertTrue(first.built.contains("ppo") && first.built.contains("evaluate"), "\(first.built)")
        let experiment = h.root.appendingPathComponent("experiments/smoke")
        for path in ["models/rlhf/model.safetensors", "models/rlhf/config.json", "models/rlhf/critic/model.safetensors",
                     "reports/ppo_train_metrics.jsonl", "reports/final_eval.md", "reports/final_eval.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: experiment.appendingPathComponent(path).path), path)
        }
        let metrics = try PPOTestFixtures.metrics(experiment.appendingPathComponent("reports/ppo_train_metrics.jsonl"))
        XCTAssertEqual(metrics.count, 2)
        let summary = try JSONDecoder().decode(FinalEvaluation.self,
                                               from: Data(contentsOf: experiment.appendingPathComponent("reports/final_eval.json")))
        XCTAssertEqual(summary.models.map(\.model), ["base", "sft", "policy"])
        XCTAssertEqual(summary.winRates.count, 8)
        XCTAssertEqual(try build(h.root).built, [], "a second build runs nothing")
    }
}
