import Foundation
import XCTest
@testable import Model
@testable import Training
import World

/// The old log-probs PPO takes from its fp32 KV-cache sampler instead of a scoring forward: they equal
/// `ModelScoring.logProbs` on the same tokens (with and without an adapter, at temperatures other than 1), and an
/// iteration's update with them equals the update with the separate scoring pass.
final class PPORolloutLogProbsTests: XCTestCase {
    /// A 2-layer causal LM over the byte vocabulary.
    private let config = LlamaConfig(hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2, numAttentionHeads: 2,
                                     numKeyValueHeads: 1, maxPositionEmbeddings: 128)

    /// Random prompts of 3–6 byte tokens; every prompt twice, so the sampler's shared-prefix prefill takes part.
    private func prompts(_ n: Int) -> (records: [PromptRecord], encoded: [[Int32]]) {
        var rng = Xoshiro256(seed: 11)
        let distinct = (0..<((n + 1) / 2)).map { i in (0..<(3 + i % 4)).map { _ in Int32(rng.next() % 200) + 30 } }
        let encoded = (0..<n).map { distinct[$0 / 2] }
        return ((0..<n).map { PromptRecord(prompt: "p\($0)") }, encoded)
    }

    /// The base model, with a policy adapter (B random, so it changes the outputs) attached when `adapter`.
    private func model(adapter: Bool) throws -> LlamaModel {
        let model = try LlamaModel(config: config, seed: 1)
        if adapter {
            let lora = try LoRAAdapter(config: LoRAConfig(rank: 4, alpha: 8), model: config, seed: 5)
            lora.randomizeB(std: 0.3, seed: 6)
            try model.attach(lora, freezingBase: true)
        }
        return model
    }

    func testSamplerLogProbsEqualScoringLogProbsOnTheSameTokens() throws {
        let encoded = prompts(6).encoded
        for adapter in [false, true] {
            let m = try model(adapter: adapter)
            for temperature in [1.0, 0.7, 1.6] {
                var rng = Xoshiro256(seed: 21)
                let options = SamplingOptions(temperature: Float(temperature), maxNewTokens: 12, stopAtEOS: true, useKVCache: true)
                let generation = try m.generate(prompts: encoded, options: options, rng: &rng)
                let scored = try ModelScoring.logProbs(m, prompts: encoded, responses: generation.tokens, temperature: temperature,
                                                       chunk: 4)
                var largest = 0.0, tokens = 0
                for (b, row) in scored.enumerated() {
                    XCTAssertEqual(row.count, generation.logProbs[b].count)
                    for (i, expected) in row.enumerated() {
                        let gap = abs(Double(generation.logProbs[b][i]) - expected)
                        XCTAssertLessThan(gap, 1e-5 * max(1, abs(expected)),
                                          "adapter \(adapter), T \(temperature), sequence \(b) token \(i)")
                        largest = max(largest, gap)
                        tokens += 1
                    }
                }
                XCTAssertGreaterThan(tokens, 12, "several tokens compared (largest gap \(largest))")
            }
        }
    }

    /// PPO settings of a short LoRA run at temperature 0.7 with an entropy bonus.
    private func ppoConfig() -> PPOConfig {
        var c = PPOConfig()
        c.promptsPerIteration = 3
        c.samplesPerPrompt = 2
        c.minibatchSize = 2
        c.ppoEpochs = 2
        c.maxNewTokens = 6
        c.learningRate = 1e-2
        c.criticLearningRate = 1e-2
        c.scoringChunk = 4
        c.temperature = 0.7
        c.entropyCoefficient = 0.01
        c.goldJudge = false
        c.oldLogProbsFromRollout = true
        return c
    }

    /// A trainer on a fresh LoRA policy, an adapter-off reference, an RM adapter and a value head on the frozen trunk.
    private func trainer(_ c: PPOConfig? = nil) throws -> PPOTrainer {
        let actor = try model(adapter: true)
        let rm = try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: 4, targets: [.q, .v]), model: config, seed: 7)
        rm.randomizeB(std: 0.3, seed: 8)
        var rng = Xoshiro256(seed: 9)
        let head = (0..<config.hiddenSize).map { _ in Float(rng.nextNormal()) }
        let models = PPOModels(actor: actor, reference: .adapterOff, rewardModel: .adapter(rm, scoreHead: head),
                               critic: .frozenTrunk(valueHead: [Float](repeating: 0, count: config.hiddenSize)))
        let (records, encoded) = prompts(8)
        return try PPOTrainer(config: c ?? ppoConfig(), models: models, tokenizer: ByteTokenizer(), prompts: records,
                              encodedPrompts: encoded, seed: 3)
    }

    func testUpdateWithTheSamplersLogProbsEqualsTheUpdateWithAScoringPass() throws {
        var updates: [(PPOUpdateStatistics, [[Double]], [Float])] = []
        for recompute in [false, true] {
            let t = try trainer()
            XCTAssertTrue(t.samplerLogProbsAreOldLogProbs, "an fp32 rollout records its log-probs")
            var r = try t.sample()
            XCTAssertEqual(r.oldLogProbs.map(\.count), r.responses.map(\.tokens.count), "one log-prob per response token")
            if recompute { r.oldLogProbs = [] }
            try t.score(&r)
            let update = try t.optimise(r)
            updates.append((update, r.oldLogProbs, t.policyAdapter!.parameters.array()))
        }
        let (captured, recomputed) = (updates[0], updates[1])
        for (a, b) in zip(captured.1.joined(), recomputed.1.joined()) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b))) }
        XCTAssertEqual(captured.0.policyLoss, recomputed.0.policyLoss, accuracy: 1e-5)
        XCTAssertEqual(captured.0.valueLoss, recomputed.0.valueLoss, accuracy: 1e-5)
        XCTAssertEqual(captured.0.approxKL, recomputed.0.approxKL, accuracy: 1e-6)
        XCTAssertEqual(captured.0.meanRatio, recomputed.0.meanRatio, accuracy: 1e-5)
        XCTAssertEqual(captured.0.entropy, recomputed.0.entropy, accuracy: 1e-5)
        XCTAssertNotEqual(captured.0.approxKL, 0, "two epochs move the policy away from the rollout's")
        let gap = zip(captured.2, recomputed.2).map { abs($0 - $1) }.max() ?? 1
        XCTAssertLessThan(gap, 1e-4, "the adapters after the update agree")
    }

    func testByDefaultTheOldLogProbsComeFromAScoringPass() throws {
        XCTAssertFalse(PPOConfig().oldLogProbsFromRollout, "the sampler's log-probs are opt-in (old_log_probs: rollout)")
        var c = ppoConfig()
        c.oldLogProbsFromRollout = false
        let t = try trainer(c)
        XCTAssertFalse(t.samplerLogProbsAreOldLogProbs)
        var r = try t.sample()
        XCTAssertTrue(r.oldLogProbs.isEmpty, "the rollout leaves them to scoring")
        try t.score(&r)
        XCTAssertEqual(r.oldLogProbs.map(\.count), r.responses.map(\.tokens.count), "scoring filled them")
    }

    func testBF16RolloutKeepsTheFP32ScoringPass() throws {
        var c = ppoConfig()
        c.rolloutPrecision = .bf16
        let t = try trainer(c)
        let bf16Runs = InferencePrecision.bf16.effective == .bf16
        XCTAssertEqual(t.samplerLogProbsAreOldLogProbs, !bf16Runs, "a bf16 rollout's log-probs are not the update's")
        var r = try t.sample()
        XCTAssertEqual(r.oldLogProbs.isEmpty, bf16Runs)
        try t.score(&r)
        XCTAssertEqual(r.oldLogProbs.map(\.count), r.responses.map(\.tokens.count), "scoring filled them in fp32")
    }

    func testBF16RolloutOnABF16BaseRecordsTheOldLogProbs() throws {
        try XCTSkipUnless(BasePrecision.bf16.isSupported, "this CPU has no AVX-512 BF16")
        var c = ppoConfig()
        c.rolloutPrecision = .bf16
        let t = try trainer(c)
        try t.actor.setBasePrecision(.bf16)
        XCTAssertTrue(t.samplerLogProbsAreOldLogProbs, "the rollout's bf16 products are the update's")
        var r = try t.sample()
        XCTAssertEqual(r.oldLogProbs.map(\.count), r.responses.map(\.tokens.count), "one log-prob per response token")
        let scored = try ModelScoring.logProbs(t.actor, prompts: r.prompts, responses: r.responseTokens, temperature: c.temperature,
                                               chunk: 4)
        for (a, b) in zip(r.oldLogProbs.joined(), scored.joined()) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b))) }
        try t.score(&r)
        _ = try t.optimise(r)
        XCTAssertEqual(t.actor.inferencePrecision, .fp32)
    }

    func testAStepWithOneSharedBF16SnapshotScoresAsSeparatePasses() throws {
        // step() pins one bf16 snapshot for the rollout and the scoring passes; sample() and score() alone pack their own.
        var c = ppoConfig()
        c.rolloutPrecision = .bf16
        c.scoringPrecision = .bf16
        let stepped = try trainer(c), separate = try trainer(c)
        let metrics = try stepped.step()
        var r = try separate.sample()
        try separate.score(&r)
        XCTAssertEqual(metrics.rmScoreMean, Statistics.mean(r.rmScores), "the same RM scores")
        XCTAssertEqual(metrics.klMean, Statistics.mean(r.kl.map { $0.reduce(0, +) }), "the same reference log-probs")
        XCTAssertNil(stepped.actor.pinnedPackedWeights, "the snapshot goes with the step")
        XCTAssertEqual(stepped.actor.inferencePrecision, .fp32)
    }

    func testBF16ScoringStaysCloseToFP32AndLeavesTheActorInFP32() throws {
        var rollouts: [Rollout] = []
        for precision in [InferencePrecision.fp32, .bf16] {
            var c = ppoConfig()
            c.scoringPrecision = precision
            let t = try trainer(c)
            var r = try t.sample()
            try t.score(&r)
            XCTAssertEqual(t.actor.inferencePrecision, .fp32, "the actor trains in fp32 after scoring")
            rollouts.append(r)
        }
        let (fp32, bf16) = (rollouts[0], rollouts[1])
        XCTAssertEqual(fp32.responses, bf16.responses, "the same rollout")
        XCTAssertEqual(fp32.oldLogProbs, bf16.oldLogProbs, "the old log-probs do not depend on the scoring precision")
        let scoreGap = zip(fp32.rmScores, bf16.rmScores).map { abs($0 - $1) }.max()!
        let klGap = zip(fp32.kl.joined(), bf16.kl.joined()).map { abs($0 - $1) }.max()!
        let featureGap = zip(fp32.criticFeatures.joined(), bf16.criticFeatures.joined()).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(scoreGap, 0.05 * max(1, fp32.rmScores.map(abs).max()!), "RM scores within bf16 rounding")
        XCTAssertLessThan(klGap, 0.05, "reference log-probs within bf16 rounding")
        XCTAssertLessThan(featureGap, 0.05, "critic features within bf16 rounding")
        if InferencePrecision.bf16.effective == .bf16 {
            XCTAssertGreaterThan(scoreGap + klGap, 0, "bf16 scoring took the bf16 path")
        }
    }
}
