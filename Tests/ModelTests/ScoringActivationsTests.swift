import XCTest
@testable import Model
import TestSupport

/// A forward that only scores runs in one layer's worth of buffers, reused layer after layer, and gives exactly the
/// training forward's outputs; it leaves the training activations alone and backward refuses to follow it.
final class ScoringActivationsTests: XCTestCase {
    /// A causal model with an adapter whose B is random, so the adapter terms take part.
    private func adaptedModel() throws -> LlamaModel {
        let model = try LlamaModel(config: TestModels.config, seed: 1)
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: 4), model: model.config, seed: 2)
        adapter.randomizeB(std: 0.3, seed: 3)
        try model.attach(adapter)
        return model
    }

    func testScoringForwardGivesTheTrainingForwardsOutputsBitForBit() throws {
        let batch = try TestModels.batch()
        let rows = [0, 3, 7, 9]
        let scorer = try adaptedModel(), trainer = try adaptedModel()
        XCTAssertEqual(try scorer.forward(batch, keepingActivations: false).logits, try trainer.forward(batch).logits)
        XCTAssertEqual(try scorer.finalHiddenStates(batch, rows: rows, keepingActivations: false),
                       try trainer.finalHiddenStates(batch, rows: rows))
        XCTAssertNil(scorer.activations, "scoring allocates no training activations")
        XCTAssertEqual(try scorer.nextTokenLogProbs(batch), try trainer.nextTokenLogProbs(batch))
        let critic = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 4)
        let values = try critic.forward(batch, keepingActivations: false).values
        XCTAssertEqual(values, try critic.forward(batch).values)
    }

    func testScoringBuffersAreOneLayersWorth() throws {
        let model = try adaptedModel()
        _ = try model.nextTokenLogProbs(try TestModels.batch())
        let a = try XCTUnwrap(model.scoringActivations)
        XCTAssertFalse(a.forBackward)
        XCTAssertTrue(a.qkv[0] === a.qkv[1] && a.gateUp[0] === a.gateUp[1] && a.att[0] === a.att[1], "layers share their buffers")
        XCTAssertTrue(a.residual[0] !== a.residual[1] && a.residual[0] === a.residual[2], "the residual stream alternates")
        XCTAssertEqual(a.dLn.count, 0, "no gradient scratch")
    }

    func testBackwardRefusesToFollowAScoringForward() throws {
        let model = try adaptedModel()
        let batch = try TestModels.batch()
        let (targets, weights) = try batch.nextTokenTargets()
        let out = try model.forward(batch)
        let dLogits = try LogitMath.maskedCrossEntropy(logits: out.logits, targets: targets, weights: weights,
                                                       vocabSize: model.config.vocabSize).dLogits
        _ = try model.nextTokenLogProbs(batch)
        XCTAssertThrowsError(try model.backward(dLogits: dLogits)) { error in
            guard case ModelError.invalidState = error else { return XCTFail("\(error)") }
        }
        _ = try model.forward(batch)
        XCTAssertNoThrow(try model.backward(dLogits: dLogits), "a training forward makes backward possible again")
    }
}
