import XCTest
@testable import Kernels
@testable import Model
import TestSupport

/// A LoRA adapter on a frozen base whose products run in bf16 (`basePrecision`), against the fp32 base.
///
/// Stated tolerances (the tiny 2-layer test model, whose weights have std 0.3, so rounding operands to 8
/// significant bits moves its logits by up to ~3% of their range): adapter gradients within 6% of the fp32
/// gradients' norm per tensor; logits within 5% of the largest |logit|; a 40-step LoRA SFT run's loss falls
/// as in fp32, ending within 2% of the starting loss of it. Skipped on CPUs without AVX-512 BF16.
final class LoRABF16BaseTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(BF16Matmul.isSupported, "this CPU has no AVX-512 BF16")
    }

    /// The test model (tied head, so the LM head is a frozen base matrix too) with an adapter, B random unless `zeroB`.
    private func adapted(_ precision: BasePrecision, zeroB: Bool = false, seed: UInt64 = 1) throws -> (LlamaModel, LoRAAdapter) {
        var config = TestModels.config
        config.tieWordEmbeddings = true
        let model = try LlamaModel(config: config, seed: seed)
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: 3, alpha: 6), model: config, seed: seed + 100)
        if !zeroB { adapter.randomizeB(std: 0.3, seed: seed + 7) }
        try model.attach(adapter)
        try model.setBasePrecision(precision)
        return (model, adapter)
    }

    private func adapterGradients(_ precision: BasePrecision) throws -> (LoRAAdapter, [Float]) {
        let (model, adapter) = try adapted(precision)
        model.zeroGradients()
        try model.accumulateCrossEntropy(try TestModels.batch())
        XCTAssertFalse(model.hasGradientBuffer, "the frozen base gets no gradient buffer")
        return (adapter, adapter.gradients.array())
    }

    func testAdapterGradientsStayWithinToleranceOfTheFP32Base() throws {
        let (adapter, fp32) = try adapterGradients(.fp32)
        let (_, bf16) = try adapterGradients(.bf16)
        XCTAssertNotEqual(bf16, fp32, "the bf16 products ran")
        for s in adapter.layout.slices {
            let f = fp32[s.offset..<(s.offset + s.count)], b = bf16[s.offset..<(s.offset + s.count)]
            let norm = f.map { Double($0 * $0) }.reduce(0, +).squareRoot()
            let diff = zip(f, b).map { Double(($0 - $1) * ($0 - $1)) }.reduce(0, +).squareRoot()
            XCTAssertGreaterThan(norm, 0, s.name)
            XCTAssertLessThan(diff, 0.06 * norm, s.name)
        }
    }

    func testTokenObjectiveRunsTheHeadInBF16Too() throws {
        // The PPO-style fused objective goes through the same frozen-head packing.
        var grads: [[Float]] = []
        for precision in [BasePrecision.fp32, .bf16] {
            let (model, adapter) = try adapted(precision, seed: 4)
            model.zeroGradients()
            try model.accumulateTokenObjective(try TestModels.batch(), rows: [1, 2, 7], tokens: [3, 4, 6], temperature: 0.7) { chunk, logp, _ in
                TokenObjectiveGradient(dLogProbs: chunk.map { _ in -1 }, dEntropies: nil)
            }
            grads.append(adapter.gradients.array())
            XCTAssertEqual(baseGradientCount(model), 0)
        }
        let norm = grads[0].map { Double($0 * $0) }.reduce(0, +).squareRoot()
        let diff = zip(grads[0], grads[1]).map { Double(($0 - $1) * ($0 - $1)) }.reduce(0, +).squareRoot()
        XCTAssertNotEqual(grads[0], grads[1])
        XCTAssertLessThan(diff, 0.06 * norm)
    }

    /// Elements of the base gradient buffer (none when the frozen base never allocated one).
    private func baseGradientCount(_ model: LlamaModel) -> Int { model.hasGradientBuffer ? model.gradients.count : 0 }

    func testZeroBAdapterEqualsItsBF16BaseExactlyAndTheFP32BaseWithinTolerance() throws {
        let batch = try TestModels.batch()
        let (model, adapter) = try adapted(.bf16, zeroB: true, seed: 9)
        let withAdapter = try model.forward(batch).logits
        adapter.isEnabled = false
        XCTAssertEqual(try model.forward(batch).logits, withAdapter, "zero B adds exactly nothing to the bf16 base")
        try model.setBasePrecision(.fp32)
        let fp32 = try model.forward(batch).logits
        XCTAssertNotEqual(fp32, withAdapter, "the bf16 products ran")
        let range = fp32.map(abs).max()!
        for (b, f) in zip(withAdapter, fp32) { XCTAssertEqual(b, f, accuracy: 0.05 * range) }
    }

    func testATrainableBaseIgnoresTheSetting() throws {
        let batch = try TestModels.batch()
        let model = try LlamaModel(config: TestModels.config, seed: 12)
        let fp32 = try model.forward(batch).logits
        try model.setBasePrecision(.bf16)
        XCTAssertEqual(try model.forward(batch).logits, fp32, "bf16 applies to frozen matrices only")
    }

    func testShortLoRATrainingLossFallsAsWithTheFP32Base() throws {
        let batch = try TestModels.batch()
        var curves: [[Double]] = []
        for precision in [BasePrecision.fp32, .bf16] {
            let (model, _) = try adapted(precision, zeroB: true, seed: 5)
            let opt = AdamW(model: model, options: AdamW.Options(weightDecay: 0))
            var losses: [Double] = []
            for _ in 0..<40 {
                model.zeroGradients()
                losses.append(try model.accumulateCrossEntropy(batch))
                try opt.update(model, learningRate: 3e-2)
            }
            curves.append(losses)
        }
        let (fp32, bf16) = (curves[0], curves[1])
        XCTAssertLessThan(fp32.last!, 0.7 * fp32.first!, "the adapter learns the batch")
        XCTAssertLessThan(bf16.last!, 0.7 * bf16.first!, "and with a bf16 base too")
        XCTAssertEqual(bf16.first!, fp32.first!, accuracy: 0.02 * fp32.first!)
        XCTAssertEqual(bf16.last!, fp32.last!, accuracy: 0.02 * fp32.first!)
        XCTAssertNotEqual(bf16, fp32)
    }
}
