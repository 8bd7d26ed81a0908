import XCTest
@testable import Kernels
@testable import Model
import TestSupport

/// A frozen bf16 base packed once instead of on every product: `withPinnedBaseWeights` in training, and the
/// per-call snapshot of fp32 inference on a bf16 base, give the same bits as packing each product; bf16 inference
/// on such a base runs exactly the products training runs (`inferenceMatchesTraining`). Skipped on CPUs without
/// AVX-512 BF16.
final class PinnedBaseWeightsTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(BF16Matmul.isSupported, "this CPU has no AVX-512 BF16")
    }

    /// The test model (tied head, so the LM head is a frozen base matrix too) with a random-B adapter on a bf16 base.
    private func adapted(seed: UInt64 = 1, freezingBase: Bool = true) throws -> (LlamaModel, LoRAAdapter) {
        var config = TestModels.config
        config.tieWordEmbeddings = true
        let model = try LlamaModel(config: config, seed: seed)
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: 3, alpha: 6), model: config, seed: seed + 100)
        adapter.randomizeB(std: 0.3, seed: seed + 7)
        try model.attach(adapter, freezingBase: freezingBase)
        try model.setBasePrecision(.bf16)
        return (model, adapter)
    }

    /// Loss and adapter gradients of one cross-entropy step.
    private func step(_ model: LlamaModel, _ adapter: LoRAAdapter) throws -> (Double, [Float]) {
        model.zeroGradients()
        let loss = try model.accumulateCrossEntropy(try TestModels.batch())
        return (loss, adapter.gradients.array())
    }

    func testPinnedTrainingStepsEqualUnpinnedOnesBitForBit() throws {
        let (model, adapter) = try adapted()
        let unpinned = try step(model, adapter)
        let pinned = try model.withPinnedBaseWeights { () throws -> [(Double, [Float])] in
            let first = try step(model, adapter)
            let kept = model.pinnedBasePackings!
            XCTAssertFalse(kept.forward.isEmpty, "the forward packings are kept")
            XCTAssertFalse(kept.inputGradient.isEmpty, "and the input-gradient ones")
            let count = kept.forward.count + kept.inputGradient.count
            let second = try step(model, adapter)
            XCTAssertEqual(kept.forward.count + kept.inputGradient.count, count, "the second step packs nothing new")
            return [first, second]
        }
        XCTAssertNil(model.pinnedBasePackings, "the packings go with the scope")
        for (loss, gradients) in pinned {
            XCTAssertEqual(loss, unpinned.0)
            XCTAssertEqual(gradients, unpinned.1)
        }
        XCTAssertTrue(unpinned.1.contains { $0 != 0 }, "the adapter got a gradient")
    }

    func testAnFP32BaseIgnoresThePin() throws {
        let (model, adapter) = try adapted()
        try model.setBasePrecision(.fp32)
        let unpinned = try step(model, adapter)
        try model.withPinnedBaseWeights {
            XCTAssertNil(model.pinnedBasePackings, "nothing to keep for an fp32 base")
            XCTAssertEqual(try step(model, adapter).1, unpinned.1)
        }
    }

    func testFP32InferenceSnapshotOfABF16BaseEqualsPackingEachProduct() throws {
        let (model, _) = try adapted(seed: 3)
        let batch = try TestModels.batch()
        let rows = Array(0..<(batch.batchSize * batch.seqLen))
        let eachProduct = try model.finalHiddenStates(batch, rows: rows, keepingActivations: false)
        XCTAssertEqual(try model.inferenceFinalHiddenStates(batch, rows: rows), eachProduct)
        try model.setBasePrecision(.fp32)
        XCTAssertNotEqual(try model.inferenceFinalHiddenStates(batch, rows: rows), eachProduct, "the bf16 products ran")
    }

    func testBF16InferenceOnAFrozenBF16BaseIsTheFP32InferenceOfIt() throws {
        let (model, _) = try adapted(seed: 5)
        let prompts: [[Int32]] = [[8, 1, 2], [8, 3], [8, 4, 5, 6]]
        let options = SamplingOptions(temperature: 0.8, maxNewTokens: 6, stopAtEOS: true, useKVCache: true)
        var generations: [Generation] = []
        var logProbs: [[Float]] = []
        for precision in [InferencePrecision.fp32, .bf16] {
            model.inferencePrecision = precision
            var rng = Xoshiro256(seed: 2)
            generations.append(try model.generate(prompts: prompts, options: options, rng: &rng))
            logProbs.append(try model.nextTokenLogProbs(try TestModels.batch(), temperature: 0.8))
        }
        XCTAssertEqual(generations[0], generations[1], "same tokens and log-probs")
        XCTAssertEqual(logProbs[0], logProbs[1])
        XCTAssertTrue(model.inferenceMatchesTraining(in: .bf16))
        XCTAssertTrue(model.inferenceMatchesTraining(in: .fp32))
    }

    func testBF16InferenceMatchesTrainingOnlyOnAFrozenBF16Base() throws {
        let (model, _) = try adapted(seed: 6)
        try model.setBasePrecision(.fp32)
        XCTAssertFalse(model.inferenceMatchesTraining(in: .bf16), "bf16 products against an fp32 update")
        XCTAssertTrue(model.inferenceMatchesTraining(in: .fp32))
        let (trainableBase, _) = try adapted(seed: 6, freezingBase: false)
        XCTAssertFalse(trainableBase.inferenceMatchesTraining(in: .bf16), "a trainable base trains in fp32")
    }
}

/// `withPinnedInferenceWeights(in:)`: a pin serves only calls in its own precision, and an inner pin for another
/// precision serves inside it, then the outer one again.
final class PinnedInferenceWeightsTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(BF16Matmul.isSupported, "this CPU has no AVX-512 BF16")
    }

    func testAPinServesItsOwnPrecisionOnly() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 2)
        let batch = try TestModels.batch()
        let fp32 = try model.nextTokenLogProbs(batch)
        model.inferencePrecision = .bf16
        let bf16 = try model.nextTokenLogProbs(batch)
        model.inferencePrecision = .fp32
        XCTAssertNotEqual(fp32, bf16)
        try model.withPinnedInferenceWeights(in: .bf16) {
            XCTAssertEqual(model.pinnedPackedWeights?.precision, .bf16)
            XCTAssertEqual(model.inferencePrecision, .fp32, "pinning leaves the precision as it was")
            XCTAssertEqual(try model.nextTokenLogProbs(batch), fp32, "an fp32 call ignores the bf16 pin")
            model.inferencePrecision = .bf16
            let pinned = model.pinnedPackedWeights
            XCTAssertEqual(try model.nextTokenLogProbs(batch), bf16, "a bf16 call runs on it")
            try model.withPinnedInferenceWeights {
                XCTAssertTrue(model.pinnedPackedWeights === pinned, "a pin for the same precision keeps the outer one")
            }
            model.inferencePrecision = .fp32
        }
        XCTAssertNil(model.pinnedPackedWeights)
    }

    func testAnInnerPinForAnotherPrecisionServesInsideThenTheOuterOneAgain() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 3)
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: 4), model: TestModels.config, seed: 4)
        try model.attach(adapter)
        try model.setBasePrecision(.bf16)
        try model.withPinnedInferenceWeights(in: .bf16) {
            let outer = model.pinnedPackedWeights
            XCTAssertEqual(outer?.precision, .bf16)
            try model.withPinnedInferenceWeights(in: .fp32) {
                XCTAssertEqual(model.pinnedPackedWeights?.precision, .fp32, "fp32 on a bf16 base packs its frozen matrices")
                XCTAssertFalse(model.pinnedPackedWeights === outer)
            }
            XCTAssertTrue(model.pinnedPackedWeights === outer)
        }
    }
}
