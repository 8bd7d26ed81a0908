import Foundation
import SafeTensors
import XCTest
@testable import Model
import TestSupport

/// LoRA adapters: zero-B equivalence, finite-difference gradients of A and B, a frozen base without
/// optimiser state, merging, the KV-cache path, and the PEFT file layout both ways.
final class LoRATests: XCTestCase {
    private let allTargets = LoRAConfig(rank: 3, alpha: 6)

    /// A base model with an adapter whose B is random too (a trained-looking adapter).
    private func adaptedModel(_ lora: LoRAConfig, seed: UInt64 = 1) throws -> (LlamaModel, LoRAAdapter) {
        let model = try LlamaModel(config: TestModels.config, seed: seed)
        let adapter = try LoRAAdapter(config: lora, model: model.config, seed: seed + 100)
        for m in adapter.layout.modules {
            let values = GradientCheck.random(m.outputs * lora.rank, seed: UInt64(m.b) + seed, scale: 0.3)
            adapter.parameters.copy(from: values, offset: m.b)
        }
        try model.attach(adapter)
        return (model, adapter)
    }

    private func causalLoss(_ model: LlamaModel, _ batch: Batch) throws -> (loss: Double, dLogits: [Float]) {
        let (targets, weights) = try batch.nextTokenTargets()
        let out = try model.forward(batch)
        let ce = try LogitMath.maskedCrossEntropy(logits: out.logits, targets: targets, weights: weights,
                                                  vocabSize: model.config.vocabSize)
        return (ce.loss, ce.dLogits)
    }

    func testFreshAdapterLeavesTheModelEqualToItsBase() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 3)
        let batch = try TestModels.batch()
        let base = try model.forward(batch).logits
        let adapter = try LoRAAdapter(config: allTargets, model: model.config, seed: 4)
        let a = try adapter.parameter(named: "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
        XCTAssertTrue(a.contains { $0 != 0 }, "A starts random")
        let bound = 1 / Float(TestModels.config.hiddenSize).squareRoot()
        XCTAssertLessThanOrEqual(a.map(abs).max()!, bound, "A is Kaiming-uniform within 1/√fan_in")
        XCTAssertEqual(try adapter.parameter(named: "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight").map(abs).max(), 0)
        try model.attach(adapter)
        XCTAssertEqual(try model.forward(batch).logits, base, "zero B: adapted model equals its base exactly")
    }

    func testSwitchingTheAdapterOffGivesTheBaseAndOnChangesIt() throws {
        let (model, adapter) = try adaptedModel(allTargets)
        let batch = try TestModels.batch()
        let adapted = try model.forward(batch).logits
        adapter.isEnabled = false
        let off = try model.forward(batch).logits
        XCTAssertEqual(off, try LlamaModel(config: TestModels.config, seed: 1).forward(batch).logits)
        XCTAssertGreaterThan(zip(adapted, off).map { abs($0 - $1) }.max()!, 1e-3)
    }

    func testAdapterGradientsMatchFiniteDifferencesAndTheBaseGetsNone() throws {
        for lora in [allTargets, LoRAConfig(rank: 2, alpha: 3, targets: [.k, .o, .up])] {
            let (model, adapter) = try adaptedModel(lora)
            let batch = try TestModels.batch()
            model.zeroGradients()
            try model.backward(dLogits: try causalLoss(model, batch).dLogits)
            XCTAssertFalse(model.hasGradientBuffer, "a frozen base gets no weight gradient and no storage for one")
            XCTAssertEqual(model.gradientBytes, adapter.parameterCount * 4)
            for s in adapter.layout.slices {
                let x = adapter.parameters.array(offset: s.offset, count: s.count)
                let grads = adapter.gradients.array(offset: s.offset, count: s.count)
                XCTAssertGreaterThan(grads.map(abs).max()!, 0, s.name)
                let picks = Array(Set([0, s.count / 3, s.count / 2, s.count - 1])).sorted()
                GradientCheck.check(s.name, x: x, analytic: grads, indices: picks, eps: 1e-2, atol: 3e-3, rtol: 3e-2) { values in
                    adapter.parameters.copy(from: values, offset: s.offset)
                    defer { adapter.parameters.copy(from: x, offset: s.offset) }
                    return try! self.causalLoss(model, batch).loss
                }
            }
        }
    }

    func testFusedCrossEntropyHeadGivesTheSameAdapterGradients() throws {
        let (model, adapter) = try adaptedModel(allTargets, seed: 6)
        let batch = try TestModels.batch()
        model.zeroGradients()
        let reference = try causalLoss(model, batch)
        try model.backward(dLogits: reference.dLogits)
        let expected = adapter.gradients.array()
        model.zeroGradients()
        let loss = try model.accumulateCrossEntropy(batch)
        XCTAssertEqual(loss, reference.loss, accuracy: 1e-5)
        XCTAssertGreaterThan(expected.map(abs).max()!, 0)
        for (x, y) in zip(adapter.gradients.array(), expected) { XCTAssertEqual(x, y, accuracy: 1e-5) }
        XCTAssertFalse(model.hasGradientBuffer, "the chunked head of a frozen base writes no weight gradient")
    }

    func testScalarHeadWithAnAdapterTrainsHeadAndAdapterOnly() throws {
        let model = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 2)
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: 4, targets: [.v, .down]), model: model.config, seed: 3)
        adapter.randomizeB(std: 0.3, seed: 4)
        try model.attach(adapter)
        model.setTrainable(true) { $0 == "score.weight" }
        let head = model.layout.slice(named: "score.weight")!
        XCTAssertEqual(AdamW(model: model).stateCount, adapter.parameterCount + head.count)
        let batch = try TestModels.batch()
        let r = GradientCheck.random(batch.tokens.count, seed: 5)
        func loss() throws -> Double { GradientCheck.dot(try model.forward(batch).values, r) }
        _ = try model.forward(batch)
        model.zeroGradients()
        try model.backward(dValues: r)
        let headGrads = try XCTUnwrap(try model.gradient(named: "score.weight"))
        let headValues = model.parameters.array(offset: head.offset, count: head.count)
        GradientCheck.check("score.weight", x: headValues, analytic: headGrads) { values in
            try! model.setParameter(named: "score.weight", to: values)
            defer { try! model.setParameter(named: "score.weight", to: headValues) }
            return try! loss()
        }
        for s in adapter.layout.slices {
            let x = adapter.parameters.array(offset: s.offset, count: s.count)
            let grads = adapter.gradients.array(offset: s.offset, count: s.count)
            GradientCheck.check(s.name, x: x, analytic: grads, indices: [0, s.count / 2, s.count - 1]) { values in
                adapter.parameters.copy(from: values, offset: s.offset)
                defer { adapter.parameters.copy(from: x, offset: s.offset) }
                return try! loss()
            }
        }
        for s in model.layout.slices where s.name != "score.weight" { XCTAssertNil(try model.gradient(named: s.name), s.name) }
        XCTAssertEqual(model.gradientBytes, (adapter.parameterCount + head.count) * 4, "gradient storage for the adapter and the head only")
    }

    func testFrozenBaseGetsNoOptimiserStateAndDoesNotMove() throws {
        let (model, adapter) = try adaptedModel(allTargets)
        let baseBefore = model.parameters.array()
        let adapterBefore = adapter.parameters.array()
        let optimizer = AdamW(model: model, options: .init(weightDecay: 0.1))
        XCTAssertEqual(optimizer.stateCount, adapter.parameterCount)
        XCTAssertEqual(optimizer.m.count, adapter.parameterCount)
        XCTAssertLessThan(adapter.parameterCount, model.parameterCount, "the state is the adapter's size, not the model's")
        let batch = try TestModels.batch()
        let first = try causalLoss(model, batch)
        for _ in 0..<5 {
            let step = try causalLoss(model, batch)
            try model.backward(dLogits: step.dLogits)
            try optimizer.update(model, learningRate: 0.05)
        }
        XCTAssertEqual(model.parameters.array(), baseBefore, "base weights untouched")
        XCTAssertFalse(model.hasGradientBuffer, "a frozen base never allocates its gradient buffer")
        XCTAssertNotEqual(adapter.parameters.array(), adapterBefore)
        XCTAssertLessThan(try causalLoss(model, batch).loss, first.loss, "training the adapter lowers the loss")
        XCTAssertEqual(adapter.gradients.array().map(abs).max(), 0, "gradients zeroed after the step")
    }

    func testOptimiserMadeBeforeAttachingRefusesToStep() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 1)
        model.setTrainable(false) { _ in true }
        let optimizer = AdamW(model: model)
        XCTAssertEqual(optimizer.stateCount, 0)
        try model.attach(try LoRAAdapter(config: allTargets, model: model.config, seed: 2))
        XCTAssertThrowsError(try optimizer.update(model, learningRate: 0.1)) { error in
            XCTAssertTrue("\(error)".contains("attach it before creating the optimiser"), "\(error)")
        }
    }

    func testMergingGivesTheAdaptedFunctionWithPlainWeights() throws {
        let (model, _) = try adaptedModel(LoRAConfig(rank: 2, alpha: 5, targets: [.q, .v, .gate, .down]))
        let batch = try TestModels.batch()
        let adapted = try model.forward(batch).logits
        model.mergeAdapter()
        XCTAssertNil(model.adapter)
        let merged = try model.forward(batch).logits
        for (x, y) in zip(adapted, merged) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        XCTAssertNotEqual(try model.parameter(named: "model.layers.0.self_attn.q_proj.weight"),
                          try LlamaModel(config: TestModels.config, seed: 1).parameter(named: "model.layers.0.self_attn.q_proj.weight"))
    }

    func testKVCacheGenerationWithAnAdapterEqualsRecompute() throws {
        let (model, _) = try adaptedModel(allTargets, seed: 5)
        var cached = SamplingOptions(temperature: 1, maxNewTokens: 6), recompute = cached
        cached.useKVCache = true
        recompute.useKVCache = false
        var rng1 = Xoshiro256(seed: 2), rng2 = Xoshiro256(seed: 2)
        let prompts: [[Int32]] = [[8, 1, 2, 3], [8, 5]]
        let a = try model.generate(prompts: prompts, options: cached, rng: &rng1)
        let b = try model.generate(prompts: prompts, options: recompute, rng: &rng2)
        XCTAssertEqual(a.tokens, b.tokens)
        for (x, y) in zip(a.logProbs.joined(), b.logProbs.joined()) { XCTAssertEqual(x, y, accuracy: 1e-4) }
    }

    func testPEFTLayoutRoundTrip() throws {
        let lora = LoRAConfig(rank: 2, alpha: 8, targets: [.v, .q, .down])
        let (model, adapter) = try adaptedModel(lora)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lora-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try adapter.save(to: dir, baseModel: "tiny-base")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("adapter_config.json"))) as! [String: Any]
        XCTAssertEqual(json["peft_type"] as? String, "LORA")
        XCTAssertEqual(json["task_type"] as? String, "CAUSAL_LM")
        XCTAssertEqual(json["r"] as? Int, 2)
        XCTAssertEqual(json["lora_alpha"] as? Double, 8)
        XCTAssertEqual(json["target_modules"] as? [String], ["q_proj", "v_proj", "down_proj"])
        XCTAssertEqual(json["base_model_name_or_path"] as? String, "tiny-base")
        let file = try SafeTensorsFile(contentsOf: dir.appendingPathComponent("adapter_model.safetensors"))
        XCTAssertEqual(file.tensors["base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"]?.shape, [8, 2])
        XCTAssertEqual(file.tensors["base_model.model.model.layers.0.mlp.down_proj.lora_A.weight"]?.shape, [2, 24])
        XCTAssertEqual(file.names.count, 2 * 2 * 3)

        let loaded = try LoRAAdapter.load(from: dir, model: model.config)
        XCTAssertEqual(loaded.config, lora)
        XCTAssertEqual(loaded.parameters.array(), adapter.parameters.array())
        let batch = try TestModels.batch()
        let expected = try model.forward(batch).logits
        let other = try LlamaModel(config: TestModels.config, seed: 1)
        try other.attach(loaded)
        XCTAssertEqual(try other.forward(batch).logits, expected)
    }

    func testBadAdapterFilesNameTheFileAndTheFix() throws {
        let (model, adapter) = try adaptedModel(allTargets)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lora-bad-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try adapter.save(to: dir, baseModel: "tiny")
        let configURL = dir.appendingPathComponent("adapter_config.json")
        let good = try String(contentsOf: configURL, encoding: .utf8)
        func expectFailure(_ text: String, _ needle: String, config: LlamaConfig = TestModels.config) throws {
            try text.write(to: configURL, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try LoRAAdapter.load(from: dir, model: config)) { error in
                XCTAssertTrue("\(error)".contains(needle), "\(error)")
                XCTAssertTrue("\(error)".contains("adapter_"), "names the file: \(error)")
            }
        }
        try expectFailure(good.replacingOccurrences(of: "\"LORA\"", with: "\"IA3\""), "only LORA")
        try expectFailure(good.replacingOccurrences(of: "\"q_proj\"", with: "\"qkv_proj\""), "qkv_proj")
        try expectFailure(good.replacingOccurrences(of: "\"r\" : 3", with: "\"r\" : 4"), "needs [4, 16]")
        try expectFailure(good.replacingOccurrences(of: "\"r\" : 3", with: "\"r\" : 0"), "at least 1")
        try expectFailure("{\"peft_type\": \"LORA\"}", "missing field")
        var wider = TestModels.config
        wider.intermediateSize = 32
        try expectFailure(good, "another base", config: wider)
        _ = model
    }
}
