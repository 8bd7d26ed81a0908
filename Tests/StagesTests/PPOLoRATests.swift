import Foundation
import TestSupport
import XCTest
@testable import Model
@testable import Training
import World

/// PPO on a LoRA policy at tiny sizes: the adapter-off reference, a frozen base without optimiser state, the fused
/// chunked-head update against the full-logits one, shared-trunk critics and reward models, and the timings.
final class PPOLoRATests: XCTestCase {
    /// A 2-layer causal LM over the byte vocabulary.
    private let config = LlamaConfig(hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2, numAttentionHeads: 2,
                                     numKeyValueHeads: 1, maxPositionEmbeddings: 128)

    /// Random prompts of 3–6 byte tokens.
    private func prompts(_ n: Int) -> (records: [PromptRecord], encoded: [[Int32]]) {
        var rng = Xoshiro256(seed: 11)
        let encoded = (0..<n).map { i in (0..<(3 + i % 4)).map { _ in Int32(rng.next() % 200) + 30 } }
        return ((0..<n).map { PromptRecord(prompt: "p\($0)") }, encoded)
    }

    /// PPO settings of a short run; the policy learns fast enough for its weights to move visibly.
    private func ppoConfig(_ path: ModelScoring.Path = .chunkedHead) -> PPOConfig {
        var c = PPOConfig()
        c.promptsPerIteration = 4
        c.minibatchSize = 2
        c.ppoEpochs = 1
        c.maxNewTokens = 5
        c.learningRate = 1e-2
        c.criticLearningRate = 1e-2
        c.scoringChunk = 3
        c.goldJudge = false
        c.scoringPath = path
        return c
    }

    /// An SFT model with a policy adapter attached (B random so the adapter changes the outputs), base frozen.
    private func loraActor(seed: UInt64 = 1) throws -> (actor: LlamaModel, sft: LlamaModel, adapter: LoRAAdapter) {
        let sft = try LlamaModel(config: config, seed: seed)
        let actor = try LlamaModel(copying: sft)
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: 4, alpha: 8), model: config, seed: 5)
        adapter.randomizeB(std: 0.3, seed: 6)
        try actor.attach(adapter, freezingBase: true)
        return (actor, sft, adapter)
    }

    /// A reward-model adapter and score head on the same base.
    private func rewardAdapter() throws -> PPORewardModel {
        let lora = try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: 4, targets: [.q, .v]), model: config, seed: 7)
        lora.randomizeB(std: 0.3, seed: 8)
        var rng = Xoshiro256(seed: 9)
        return .adapter(lora, scoreHead: (0..<config.hiddenSize).map { _ in Float(rng.nextNormal()) })
    }

    private func trainer(_ actor: LlamaModel, critic: PPOCriticModel, config c: PPOConfig? = nil) throws -> PPOTrainer {
        let (records, encoded) = prompts(8)
        return try PPOTrainer(config: c ?? ppoConfig(), models: PPOModels(actor: actor, reference: .adapterOff,
                                                                          rewardModel: try rewardAdapter(), critic: critic),
                              tokenizer: ByteTokenizer(), prompts: records, encodedPrompts: encoded, seed: 3)
    }

    func testReferenceIsTheSFTModelWithTheAdapterSwitchedOff() throws {
        let (actor, sft, _) = try loraActor()
        let t = try trainer(actor, critic: .frozenTrunk(valueHead: [Float](repeating: 0, count: config.hiddenSize)))
        let (_, encoded) = prompts(5)
        let responses = encoded.map { Array($0.reversed()) }
        let reference = try t.referenceLogProbs(encoded, responses, hidden: true)
        let expected = try ModelScoring.logProbs(sft, prompts: encoded, responses: responses, temperature: 1, chunk: 2)
        let policy = try ModelScoring.logProbs(actor, prompts: encoded, responses: responses, temperature: 1, chunk: 2)
        var largestPolicyGap = 0.0
        for (b, row) in expected.enumerated() {
            for (i, value) in row.enumerated() {
                XCTAssertEqual(reference.logProbs[b][i], value, accuracy: 1e-5, "sequence \(b) token \(i)")
                largestPolicyGap = max(largestPolicyGap, abs(policy[b][i] - value))
            }
            XCTAssertEqual(reference.hidden[b].count, row.count * config.hiddenSize, "one hidden state per response token")
        }
        XCTAssertGreaterThan(largestPolicyGap, 1e-3, "with the adapter on, the policy differs from the reference")
        XCTAssertTrue(actor.adapter === t.policyAdapter, "the policy adapter is attached again afterwards")
    }

    func testFrozenBaseGetsNoOptimiserStateOrGradientAndDoesNotMove() throws {
        let (actor, sft, adapter) = try loraActor()
        let (records, encoded) = prompts(8)
        let reward = try rewardAdapter()
        let t = try PPOTrainer(config: ppoConfig(), models: PPOModels(actor: actor, reference: .adapterOff, rewardModel: reward,
                                                                      critic: .frozenTrunk(valueHead: [Float](repeating: 0, count: config.hiddenSize))),
                               tokenizer: ByteTokenizer(), prompts: records, encodedPrompts: encoded, seed: 3)
        XCTAssertEqual(t.actorOptimizer.stateCount, adapter.parameterCount, "AdamW moments for A and B only")
        let before = adapter.parameters.array()
        let metrics = try t.step()
        XCTAssertFalse(actor.hasGradientBuffer, "no base-sized gradient buffer was ever allocated")
        XCTAssertEqual(actor.gradientBytes, adapter.parameterCount * 4, "gradient storage is the policy adapter's alone")
        guard case .adapter(let rewardLoRA, _) = reward else { return XCTFail("an adapter reward model") }
        XCTAssertFalse(rewardLoRA.hasGradientBuffer, "the frozen reward adapter scores without gradient storage")
        XCTAssertEqual(actor.parameters.array(), sft.parameters.array(), "the base weights did not move")
        XCTAssertNotEqual(adapter.parameters.array(), before, "the adapter trained")
        XCTAssertNotEqual(t.criticHead!.weights, [Float](repeating: 0, count: config.hiddenSize), "the value head trained")
        XCTAssertTrue(metrics.valueLoss.isFinite && metrics.valueLoss > 0)
    }

    func testTimingsSplitIntoRolloutScoringAndUpdate() throws {
        let t = try trainer(try loraActor().actor, critic: .frozenTrunk(valueHead: [Float](repeating: 0, count: config.hiddenSize)))
        let m = try t.step()
        let parts = [m.rolloutSeconds, m.scoringSeconds, m.updateSeconds].map { $0 ?? -1 }
        XCTAssertTrue(parts.allSatisfy { $0 > 0 }, "three positive parts: \(parts)")
        XCTAssertEqual(m.trainingSeconds, parts[1] + parts[2], accuracy: 1e-9)
        let names = Set(m.points.map { $0.0 })
        XCTAssertTrue(names.isSuperset(of: ["rollout_seconds", "scoring_seconds", "update_seconds"]))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(m)) as! [String: Any]
        XCTAssertNotNil(json["scoring_seconds"])
    }

    func testChunkedHeadUpdateMatchesTheFullLogitsUpdate() throws {
        var results: [(PPOIterationMetrics, [Float])] = []
        for path in [ModelScoring.Path.chunkedHead, .fullLogits] {
            let (actor, _, adapter) = try loraActor()
            actor.headChunkRows = 3 // several head chunks per minibatch
            var c = ppoConfig(path)
            c.temperature = 0.7
            c.entropyCoefficient = 0.05
            let t = try trainer(actor, critic: .frozenTrunk(valueHead: [Float](repeating: 0, count: config.hiddenSize)), config: c)
            results.append((try t.step(), adapter.parameters.array()))
        }
        let (chunked, full) = (results[0], results[1])
        XCTAssertEqual(chunked.0.klMean, full.0.klMean, accuracy: 1e-5)
        XCTAssertEqual(chunked.0.policyLoss, full.0.policyLoss, accuracy: 1e-5)
        XCTAssertEqual(chunked.0.entropy, full.0.entropy, accuracy: 1e-4)
        XCTAssertEqual(chunked.0.approxKL, full.0.approxKL, accuracy: 1e-6)
        let gap = zip(chunked.1, full.1).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(gap, 1e-4, "the adapters after one iteration agree")
    }

    func testCriticWithItsOwnAdapterTrainsAdapterAndHeadOnly() throws {
        let (actor, sft, policy) = try loraActor()
        let criticLoRA = try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: 4), model: config, seed: 12)
        let t = try trainer(actor, critic: .adapter(criticLoRA, valueHead: [Float](repeating: 0, count: config.hiddenSize)))
        let before = criticLoRA.parameters.array()
        let m = try t.step()
        XCTAssertNotEqual(criticLoRA.parameters.array(), before, "the critic's adapter trained")
        XCTAssertEqual(actor.parameters.array(), sft.parameters.array(), "the shared base did not move")
        XCTAssertTrue(actor.adapter === policy)
        XCTAssertTrue(m.valueLoss.isFinite)
    }

    func testResumeRestoresAdapterHeadAndOptimiserState() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ppo-lora-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try trainer(try loraActor().actor, critic: .frozenTrunk(valueHead: [Float](repeating: 0, count: config.hiddenSize)))
        _ = try first.step()
        try PPOResumeState.save(first, fingerprint: "f", in: dir)
        let expected = try first.step()
        let second = try trainer(try loraActor().actor, critic: .frozenTrunk(valueHead: [Float](repeating: 0, count: config.hiddenSize)))
        XCTAssertTrue(try PPOResumeState.restore(second, fingerprint: "f", from: dir))
        XCTAssertEqual(second.iteration, 1)
        let resumed = try second.step()
        XCTAssertEqual(first.actor.adapter!.parameters.array(), second.actor.adapter!.parameters.array(), "the resumed update equals the uninterrupted one")
        // The restore sets the optimisers' step counts without logging updates, so the resumed iteration's mean actor
        // gradient norm is over its own updates only, as the uninterrupted run's.
        let gradNorm = try XCTUnwrap(resumed.diagnostics?.gradNorm)
        XCTAssertGreaterThan(gradNorm, 0)
        XCTAssertEqual(gradNorm, try XCTUnwrap(expected.diagnostics?.gradNorm), "the logged gradient norm survives the resume")
        XCTAssertEqual(resumed.withoutTimings, expected.withoutTimings, "the resumed iteration equals the uninterrupted one")
    }
}
