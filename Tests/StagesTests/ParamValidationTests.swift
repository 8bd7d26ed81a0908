import EngineCore
import Foundation
import Model
import Report
import XCTest
@testable import Stages
@testable import Training
import TestSupport

/// Each kind declares its params once; the declaration validates at load (every problem with its path)
/// and decodes at run time, so the two can never disagree.
final class ParamValidationTests: XCTestCase {
    private static let registry = ShippedKinds.registry

    /// The smoke pipeline with `edit` applied to the params of each node of `kind`.
    private func smoke(_ edits: [String: [String: Any]]) throws -> [UInt8] {
        let url = Repository.root.appendingPathComponent("experiments/smoke/pipeline.json")
        var root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var nodes = try XCTUnwrap(root["nodes"] as? [String: [String: Any]])
        for (name, node) in nodes {
            guard let edit = edits[node["kind"] as? String ?? ""] else { continue }
            var params = node["params"] as? [String: Any] ?? [:]
            for (key, value) in edit { params[key] = value is NSNull ? nil : value }
            nodes[name]!["params"] = params
        }
        root["nodes"] = nodes
        return Array(try JSONSerialization.data(withJSONObject: root))
    }

    private func issues(_ bytes: [UInt8]) -> [String: String] {
        do {
            _ = try PipelineLoader(registry: Self.registry).parse(bytes: bytes, file: "pipeline.json")
            return [:]
        } catch let EngineError.invalidPipeline(_, issues) {
            return Dictionary(issues.map { ($0.path, $0.message) }, uniquingKeysWith: { $0 + " | " + $1 })
        } catch {
            XCTFail("\(error)")
            return [:]
        }
    }

    func testAuditExamplesFailAtLoadWithEveryProblemAndItsPath() throws {
        let found = issues(try smoke([
            "ppo": ["learning_rate": 5, "kl_target": 3, "kl_control": "fixed"],
            "sft": ["validation_fraction": 0.9, "steps": "many"],
            "reward_model": ["epochs": 2],
            "preferences": ["annotator": ["temperature": -1], "pairs": "some"],
            "pretrain": ["model": ["num_attention_heads": 3]],
            "evaluate": ["samples_per_prompt": 4, "temperature": 0, "sampling_precision": "fp16"],
        ]))
        XCTAssertEqual(found["nodes.ppo.params.learning_rate"], "5 is outside [0, 1]")
        XCTAssertEqual(found["nodes.ppo.params.kl_target"], "only applies with \"kl_control\": \"adaptive\"; remove it or set kl_control")
        XCTAssertEqual(found["nodes.sft.params.validation_fraction"], "0.9 is outside [0, 0.5]")
        XCTAssertEqual(found["nodes.sft.params.steps"], "must be integer, found string")
        XCTAssertEqual(found["nodes.reward_model.params.epochs"], "sets the number of steps; remove either steps or epochs")
        XCTAssertEqual(found["nodes.preferences.params.annotator.temperature"], "-1 is outside [0, 1000000]")
        XCTAssertEqual(found["nodes.preferences.params.pairs"], "must be one of all_pairs, best_vs_rest, found \"some\"")
        XCTAssertTrue(found["nodes.pretrain.params.model"]?.contains("invalid model") ?? false, "\(found)")
        XCTAssertTrue(found["nodes.evaluate.params.samples_per_prompt"]?.contains("temperature above 0") ?? false, "\(found)")
        XCTAssertEqual(found["nodes.evaluate.params.sampling_precision"], "must be one of fp32, bf16, auto, found \"fp16\"")
        XCTAssertEqual(found.count, 10, "\(found)")
    }

    func testShippedPipelinesStillLoad() throws {
        XCTAssertEqual(issues(try smoke([:])), [:])
        XCTAssertEqual(issues(try smoke(["ppo": ["kl_control": "adaptive", "kl_target": 2]])), [:])
        XCTAssertEqual(issues(try smoke(["ppo": ["heldout_every": 2]])),
                       ["nodes.ppo.params.heldout_every": "only applies with a 'heldout_prompts' input; wire one (e.g. a synth.ppo_heldout_prompts node) or remove it"])
    }

    func testEveryDeclaredDefaultPassesItsOwnDeclarationAndNamesAreUnique() {
        for name in Self.registry.names {
            let kind = Self.registry.kind(named: name)!
            XCTAssertEqual(Set(kind.params.map(\.name)).count, kind.params.count, "\(name) declares a param twice")
            for spec in kind.params {
                XCTAssertFalse(spec.summary.isEmpty, "\(name).\(spec.name) has no summary")
                if case let .value(value) = spec.defaultValue {
                    XCTAssertEqual(spec.issues(in: value, path: spec.name), [], "\(name).\(spec.name): default \(value.canonical)")
                }
                for field in spec.fields ?? [] {
                    if case let .value(value) = field.defaultValue {
                        XCTAssertEqual(field.issues(in: value, path: field.name), [], "\(name).\(spec.name).\(field.name)")
                    }
                }
            }
            XCTAssertFalse(kind.summary.isEmpty, "\(name) has no summary for rlhf kinds")
            for input in kind.inputs ?? [] { XCTAssertFalse(input.format.isEmpty, "\(name) input \(input.role) has no format") }
        }
    }

    func testRunTimeDecodingUsesTheDeclaredDefaults() throws {
        // kl_target used to default to nil in PPOConfig and to 6 in the stage; now the declaration is the one source.
        let fixed = try PPOConfig(Params(node: "ppo", values: [:]))
        XCTAssertNil(fixed.klTarget)
        XCTAssertEqual(fixed.learningRate, PPOConfig().learningRate)
        let adaptive = try PPOConfig(Params(node: "ppo", values: ["kl_control": .string("adaptive")]))
        guard case let .value(declared) = PPOParams.declared.klTarget.spec.defaultValue else { return XCTFail("kl_target has no default") }
        XCTAssertEqual(adaptive.klTarget, declared.doubleValue)
        XCTAssertThrowsError(try PPOConfig(Params(node: "ppo", values: ["kl_target": .int(3)]))) { error in
            XCTAssertEqual(error as? StagesError, .invalidParam(node: "ppo", param: "kl_target",
                                                              message: "only applies with \"kl_control\": \"adaptive\"; remove it or set kl_control"))
        }
        XCTAssertThrowsError(try PPOConfig(Params(node: "ppo", values: ["learning_rate": .int(5)]))) { error in
            XCTAssertEqual(error as? StagesError, .invalidParam(node: "ppo", param: "learning_rate", message: "5 is outside [0, 1]"))
        }
        let schedule = try SFTKind.declared.schedule.schedule(Params(node: "sft", values: ["steps": .int(50)]))
        XCTAssertEqual(schedule.steps, 50)
        XCTAssertEqual(schedule.warmupSteps, 10, "the derived default min(20, steps / 5)")
        XCTAssertEqual(schedule.learningRate, 1e-3)
        // The `small` preset keeps its grouped-query attention unless the heads are set.
        func model(_ object: [String: JSONValue]) throws -> LlamaConfig {
            try ModelSpec.config(Params(node: "pretrain", values: ["model": .object(object)]))
        }
        XCTAssertEqual(try model(["preset": .string("small")]).numKeyValueHeads, 2)
        XCTAssertEqual(try model(["preset": .string("small"), "num_attention_heads": .int(4)]).numKeyValueHeads, 4)
        XCTAssertEqual(try model([:]).maxPositionEmbeddings, 256)
    }

    func testEveryParamAKindReadsIsDeclared() {
        // `ParamDeclarations.specs` lists the stored params by reflection, so a kind cannot read one it does not declare.
        XCTAssertEqual(SFTKind.declared.specs.map(\.name), ["dtype", "steps", "batch_size", "learning_rate", "warmup_steps", "weight_decay",
                                                           "prompt_count", "max_new_tokens", "generation_batch", "length_window",
                                                           "validation_fraction", "eval_every", "loss_turns", "samples_shown", "lora"])
        XCTAssertEqual(PPOKind().params.count, 37)
        XCTAssertTrue(PPOKind().params.contains { $0.name == "heldout_count" })
        XCTAssertTrue(PPOKind().params.contains { $0.name == "heldout_every" })
        XCTAssertTrue(PPOKind().params.contains { $0.name == "scoring_precision" })
        XCTAssertTrue(PPOKind().params.contains { $0.name == "old_log_probs" })
        XCTAssertTrue(PPOKind().params.contains { $0.name == "snapshot_every" })
    }
}
