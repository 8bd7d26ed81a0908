import EngineCore
import Foundation
import Logging
import Model
@testable import Stages
import XCTest

/// LoRA through the stages on the tiny ChatML GGUF fixture (BPE tokenizer, chat template): import → SFT with an
/// adapter in the model's own template → a probe on base + adapter → a LoRA reward model on the SFT adapter, and
/// the adapter inputs' checks (base role, base hash).
final class LoRAStageTests: XCTestCase {
    private let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("GGUFTests/Fixtures/tiny_llama.gguf")

    /// Words for prompts and responses (the fixture tokenizer is byte-level, so any text encodes).
    private static let words = ["red", "blue", "green", "cat", "dog", "sun", "moon", "tree", "fish", "bird", "rock", "rain"]

    /// The imported base and the data files of the small pipeline.
    private func prepare(_ harness: StageHarness) throws -> (base: URL, sft: URL, prompts: URL, prefs: URL) {
        let source = harness.root.appendingPathComponent("tiny.gguf")
        try FileManager.default.copyItem(at: fixture, to: source)
        let base = try harness.run(ImportKind(), node: "base", inputs: ["checkpoint": source])["model"]!
        let w = Self.words
        let sft = (0..<24).map { i in
            "{\"prompt\": \"say \(w[i % w.count]) \(i)\", \"response\": \"\(w[i % w.count])\"}"
        }.joined(separator: "\n") + "\n"
        let prompts = (0..<4).map { "{\"prompt\": \"say \(w[$0])\"}" }.joined(separator: "\n") + "\n"
        let prefs = (0..<30).map { i in
            "{\"prompt\": \"name \(w[i % w.count]) \(i)\", \"chosen\": \"\(w[i % w.count])\", \"rejected\": \"\(w[(i + 5) % w.count]) no\"}"
        }.joined(separator: "\n") + "\n"
        return (base, try harness.file("sft.jsonl", sft), try harness.file("prompts.jsonl", prompts), try harness.file("prefs.jsonl", prefs))
    }

    /// A context that reads `inputs`, as the stages see it (for loading model inputs directly).
    private func context(_ harness: StageHarness, inputs: [String: URL]) -> StageContext {
        StageContext(node: "check", workspace: harness.root, inputs: inputs, outputs: [:], params: [:], seed: 1, logger: Logger(label: "check"),
                     metrics: MetricsSink(), progress: ProgressReporter(label: "check", isTerminal: false, write: { _ in }),
                     scratch: harness.root)
    }

    private func sftParams(_ lora: [String: JSONValue]) -> [String: JSONValue] {
        ["steps": .int(6), "batch_size": .int(4), "learning_rate": .double(0.02), "eval_every": .int(3), "max_new_tokens": .int(3),
         "validation_fraction": .double(0.2), "lora": .object(lora)]
    }

    func testLoRASmokePipelineSFTToRewardModelOnTheTinyBPEModel() throws {
        let harness = try StageHarness()
        let (base, sftData, prompts, prefs) = try prepare(harness)
        let sft = try harness.run(SFTKind(), node: "sft", inputs: ["base": base, "data": sftData, "eval_prompts": prompts],
                                  params: sftParams(["r": .int(4), "alpha": .int(8)]))["model"]!
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: sft.path))
        XCTAssertTrue(files.isSuperset(of: ["adapter_config.json", "adapter_model.safetensors", "adapter_base.json", "tokenizer.json"]), "\(files)")
        XCTAssertFalse(files.contains("model.safetensors") || files.contains("config.json"), "no copy of the base weights: \(files)")
        let provenance = try JSONFiles.read(AdapterProvenance.self, from: sft.appendingPathComponent("adapter_base.json"))
        XCTAssertEqual(provenance.baseHash, try FileHasher().hash(path: base.path)?.hex)
        let adapter = try LoRAAdapter.load(from: sft, model: try Checkpoint.loadConfig(from: base))
        XCTAssertEqual(adapter.config.targets, LoRATarget.allCases)
        let bs = adapter.layout.slices.filter { $0.name.hasSuffix("lora_B.weight") }
        XCTAssertGreaterThan(bs.map { adapter.parameters.array(offset: $0.offset, count: $0.count).map(abs).max()! }.max()!, 0, "B trained")

        // A probe takes base + adapter; without the base role it says which role to wire.
        let probe = try harness.run(ProbeKind(), node: "probe", inputs: ["model": sft, "model_base": base, "prompts": prompts],
                                    params: ["max_new_tokens": .int(3)])
        XCTAssertTrue(FileManager.default.fileExists(atPath: probe["summary"]!.path))
        XCTAssertThrowsError(try harness.run(ProbeKind(), node: "probe2", inputs: ["model": sft, "prompts": prompts])) { error in
            XCTAssertTrue("\(error)".contains("'model_base'"), "\(error)")
        }

        let rm = try harness.run(RewardModelKind(), node: "rm", inputs: ["backbone": sft, "backbone_base": base, "data": prefs],
                                 params: ["steps": .int(4), "batch_size": .int(4), "learning_rate": .double(0.01),
                                          "heldout_fraction": .double(0.3), "lora": .object(["r": .int(2), "target_modules": .array([.string("q_proj"), .string("v_proj")])])])["model"]!
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: rm.appendingPathComponent("adapter_config.json"))) as! [String: Any]
        XCTAssertEqual(config["task_type"] as? String, "SEQ_CLS")
        XCTAssertEqual(config["modules_to_save"] as? [String], ["classifier", "score"])
        XCTAssertEqual(config["target_modules"] as? [String], ["q_proj", "v_proj"])
        XCTAssertTrue(try LoRAAdapter.savesScalarHead(rm))
        XCTAssertTrue(FileManager.default.fileExists(atPath: rm.appendingPathComponent("parent/adapter_model.safetensors").path),
                      "the SFT adapter the reward model was trained on comes along")

        // Loading the reward model = base trunk under a scalar head + SFT adapter merged + RM adapter merged + head.
        let loaded = try ModelFiles.loadInput(context(harness, inputs: ["reward_model": rm, "reward_model_base": base]), role: "reward_model")
        XCTAssertTrue(loaded.model.config.hasScalarHead)
        XCTAssertNotNil(loaded.chatTemplate, "the GGUF's ChatML template")
        let manual = try Checkpoint.loadModel(from: base, scalarHead: true)
        try manual.attach(try LoRAAdapter.load(from: sft, model: manual.config), freezingBase: false)
        manual.mergeAdapter()
        try manual.attach(try LoRAAdapter.load(from: rm, model: manual.config), freezingBase: false)
        try LoRAAdapter.loadHead(from: rm, into: manual)
        let batch = try Batch(sequences: [[1, 40, 50, 60, 2], [1, 70, 80]], padToken: 2)
        let expected = try manual.forward(batch).scores
        let got = try loaded.model.forward(batch).scores
        for (x, y) in zip(got, expected) { XCTAssertEqual(x, y, accuracy: 1e-4 * max(1, abs(y))) }
        XCTAssertNotEqual(expected, try Checkpoint.loadModel(from: base, scalarHead: true).forward(batch).scores)
    }

    func testMergeWritesFullWeightsAndAWrongBaseIsRefused() throws {
        let harness = try StageHarness()
        let (base, sftData, prompts, _) = try prepare(harness)
        let merged = try harness.run(SFTKind(), node: "merged", inputs: ["base": base, "data": sftData, "eval_prompts": prompts],
                                     params: sftParams(["r": .int(2), "merge": .bool(true)]))["model"]!
        XCTAssertFalse(ModelFiles.isAdapter(merged))
        XCTAssertNotEqual(try Checkpoint.loadModel(from: merged).parameters.array(), try Checkpoint.loadModel(from: base).parameters.array())
        XCTAssertThrowsError(try ModelFiles.loadInput(context(harness, inputs: ["model": merged, "model_base": base]), role: "model")) { error in
            XCTAssertTrue("\(error)".contains("is a full checkpoint"), "\(error)")
        }

        let sft = try harness.run(SFTKind(), node: "sft", inputs: ["base": base, "data": sftData, "eval_prompts": prompts],
                                  params: sftParams(["r": .int(2)]))["model"]!
        let other = harness.root.appendingPathComponent("other-base")
        try FileManager.default.copyItem(at: base, to: other)
        let note = other.appendingPathComponent("generation_config.json")
        try (try String(contentsOf: note, encoding: .utf8) + " ").write(to: note, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ModelFiles.loadInput(context(harness, inputs: ["model": sft, "model_base": other]), role: "model")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("was trained on the base") && text.contains("'model_base'"), text)
        }
    }

    func testTheModelsOwnChatTemplateShapesTheSFTTokensAndByteModelsKeepChatFormat() throws {
        let harness = try StageHarness()
        let (base, _, _, _) = try prepare(harness)
        let loaded = try ModelFiles.loadInput(context(harness, inputs: ["model": base]), role: "model")
        let template = try XCTUnwrap(loaded.chatTemplate)
        let format = ChatFormat(tokenizer: loaded.tokenizer)
        let encoding = try format.encode(prompt: "say cat", response: "cat", template: template)
        let text = loaded.tokenizer.decode(encoding.tokens, showSpecial: true)
        XCTAssertTrue(text.contains("<|im_start|>user\nsay cat<|im_end|>\n<|im_start|>assistant\ncat<|im_end|>"), text)
        let trained = zip(encoding.tokens, encoding.lossMask).filter { $0.1 > 0 }.map(\.0)
        XCTAssertEqual(loaded.tokenizer.decode(trained, showSpecial: true), "cat<|im_end|>")
        let prefix = try format.encode(prompt: "say cat", response: nil, template: template).tokens
        XCTAssertEqual(Array(encoding.tokens.prefix(prefix.count)), prefix, "the generation prefix starts the trained chat")
        XCTAssertTrue(loaded.tokenizer.decode(prefix, showSpecial: true).hasSuffix("<|im_start|>assistant\n"))

        let byteDir = harness.root.appendingPathComponent("byte")
        try Checkpoint.save(try LlamaModel(config: LlamaConfig(hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 1, numAttentionHeads: 2,
                                                               numKeyValueHeads: 1, vocabSize: ByteTokenizer().vocabSize,
                                                               maxPositionEmbeddings: 32), seed: 1),
                            tokenizer: ByteTokenizer(), to: byteDir)
        XCTAssertNil(try ModelFiles.loadInput(context(harness, inputs: ["model": byteDir]), role: "model").chatTemplate,
                     "the world's byte-tokenizer models chat in ChatFormat")
    }

    func testLoRAParamsAreCheckedAtLoadWithTheirPaths() throws {
        let url = SmokePipelineTests.repository.appendingPathComponent("experiments/smoke/pipeline.json")
        var root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var nodes = try XCTUnwrap(root["nodes"] as? [String: [String: Any]])
        var sft = try XCTUnwrap(nodes["sft"]?["params"] as? [String: Any])
        sft["lora"] = ["r": 0, "target_modules": ["q_proj", "qkv_proj"]]
        nodes["sft"]!["params"] = sft
        var rm = try XCTUnwrap(nodes["reward_model"]?["params"] as? [String: Any])
        rm["lora"] = ["r": 4]
        nodes["reward_model"]!["params"] = rm
        root["nodes"] = nodes
        var found: [String: String] = [:]
        do {
            _ = try PipelineLoader(registry: SmokePipelineTests.registry).parse(bytes: Array(try JSONSerialization.data(withJSONObject: root)),
                                                                               file: "pipeline.json")
            XCTFail("the pipeline should not load")
        } catch let EngineError.invalidPipeline(_, issues) {
            found = Dictionary(issues.map { ($0.path, $0.message) }, uniquingKeysWith: { $0 + " | " + $1 })
        }
        XCTAssertEqual(found["nodes.sft.params.lora.r"], "0 is outside [1, 4096]", "\(found)")
        XCTAssertTrue(found["nodes.sft.params.lora.target_modules[1]"]?.contains("found \"qkv_proj\"") ?? false, "\(found)")
        XCTAssertTrue(found["nodes.reward_model.params.trainable_layers"]?.contains("does not apply with lora") ?? false, "\(found)")
    }
}
