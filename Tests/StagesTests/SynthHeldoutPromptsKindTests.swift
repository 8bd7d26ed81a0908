import Engine
import EngineCore
import Foundation
import TextSimilarity
import World
import XCTest
@testable import Stages
import TestSupport

/// `synth.ppo_heldout_prompts`: its file, and a pipeline wiring it into `ppo`'s `heldout_prompts` loads.
final class SynthHeldoutPromptsKindTests: XCTestCase {
    func testWritesCountPromptsDisjointFromThePPOPrompts() throws {
        let root = try PPOTestFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var config = WorldConfig()
        config.ppoPromptCount = 50
        let worldURL = root.appendingPathComponent("world.json")
        try JSONEncoder().encode(config).write(to: worldURL)
        let context = try PPOTestFixtures.context(node: "heldout", workspace: root, inputs: ["world": worldURL], outputs: ["data"],
                                                  params: ["count": .int(30)])
        try SynthHeldoutPromptsKind().run(context)
        let written = try RecordReader().prompts(from: context.outputs["data"]!, file: "data")
        XCTAssertEqual(written.count, 30)
        let ppo = Set(try World(config: config).ppoPrompts().map { TextNormalization.key($0.prompt) })
        XCTAssertTrue(written.allSatisfy { !ppo.contains(TextNormalization.key($0.prompt)) })
        let bad = try PPOTestFixtures.context(node: "heldout", workspace: root, inputs: ["world": worldURL], outputs: ["data"],
                                              params: ["count": .int(0)])
        XCTAssertThrowsError(try SynthHeldoutPromptsKind().run(bad)) { error in
            XCTAssertEqual(error as? StagesError, .invalidParam(node: "heldout", param: "count", message: "0 is outside [1, 1000000]"))
        }
    }

    func testTheSmokePipelineWithHeldOutPromptsLoads() throws {
        let url = Repository.root.appendingPathComponent("experiments/smoke/pipeline.json")
        var root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var nodes = try XCTUnwrap(root["nodes"] as? [String: [String: Any]])
        nodes["ppo_heldout"] = ["kind": "synth.ppo_heldout_prompts", "inputs": ["world": "world"], "params": ["count": 40],
                                "outputs": ["data": "experiments/smoke/data/prompts_ppo_heldout.jsonl"]]
        var ppo = try XCTUnwrap(nodes["ppo"])
        var inputs = try XCTUnwrap(ppo["inputs"] as? [String: Any])
        inputs["heldout_prompts"] = "ppo_heldout"
        ppo["inputs"] = inputs
        var params = try XCTUnwrap(ppo["params"] as? [String: Any])
        params["heldout_count"] = 16
        params["heldout_every"] = 1
        ppo["params"] = params
        nodes["ppo"] = ppo
        root["nodes"] = nodes
        let bytes = Array(try JSONSerialization.data(withJSONObject: root))
        let pipeline = try PipelineLoader(registry: ShippedKinds.registry).parse(bytes: bytes, file: "pipeline.json")
        XCTAssertEqual(pipeline.nodes["ppo_heldout"]?.kind, "synth.ppo_heldout_prompts")
    }
}
