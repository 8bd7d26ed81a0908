import Model
import World
import XCTest
@testable import Training

/// `ResponseJudge`: greedy responses can skip the reward model, the KL reuses judged samples drawn at temperature 1, and
/// the sampling precision falls back to fp32 where the CPU lacks bf16 and leaves the model in fp32.
final class ResponseJudgeTests: XCTestCase {
    private let config = LlamaConfig(hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 1, numAttentionHeads: 2,
                                     numKeyValueHeads: 1, maxPositionEmbeddings: 128)
    private let prompts = ["reverse cat.", "sort dog bee ant.", "say hi 2 times."]

    /// A judge of `prompts` in the byte tokenizer's chat format, with a random scalar-head reward model.
    private func judge(samples: Int, precision: InferencePrecision = .fp32) throws -> ResponseJudge {
        let tokenizer = ByteTokenizer(), renderer = ChatRenderer(tokenizer: tokenizer)
        let encoded = try prompts.map { try renderer.prefix([ChatMessage(role: "user", content: $0)]) }
        var rmConfig = config.withScalarHead()
        rmConfig.initializerRange = 0.2
        return ResponseJudge(prompts: prompts, encoded: encoded, tasks: prompts.map { try? WorldTask(parsing: $0) }, tokenizer: tokenizer,
                             rewardModel: try LlamaModel(config: rmConfig, seed: 4), batchSize: 2, maxNewTokens: 6,
                             samplesPerPrompt: samples, samplingPrecision: precision)
    }

    func testGreedyResponsesWithoutRewardModelScoresCarryNone() throws {
        let judge = try judge(samples: 3), model = try LlamaModel(config: config, seed: 1)
        let scored = try judge.respond(model, temperature: 0, seed: 0)
        let unscored = try judge.respond(model, temperature: 0, seed: 0, rewardModelScores: false)
        XCTAssertEqual(scored.count, prompts.count, "one greedy response per prompt")
        XCTAssertTrue(scored.allSatisfy { $0.rmScore != nil })
        XCTAssertTrue(unscored.allSatisfy { $0.rmScore == nil })
        XCTAssertEqual(unscored.map(\.response), scored.map(\.response), "only the RM score is left out")
        XCTAssertEqual(unscored.map(\.gold), scored.map(\.gold))
    }

    func testKLReusesTheFirstJudgedSamplesOfEachPrompt() throws {
        let judge = try judge(samples: 3)
        let model = try LlamaModel(config: config, seed: 1), reference = try LlamaModel(config: config, seed: 2)
        let sampled = try judge.sample(model, temperature: 1, seed: 5)
        XCTAssertEqual(sampled.responses.count, 3 * prompts.count)
        let kl = try judge.klToReference(model, reference: reference, samples: 2, seed: 99, reusing: sampled)
        // The expected estimate from the first two samples of each prompt, scored through the full logits (another path).
        let picked: [[Int32]] = prompts.indices.flatMap { p in (0..<2).map { sampled.responses[p * 3 + $0].tokens } }
        let prefixes: [[Int32]] = judge.encoded.flatMap { [$0, $0] }
        let mine = try ModelScoring.logProbs(model, prompts: prefixes, responses: picked, temperature: 1, chunk: 4, path: .fullLogits)
        let theirs = try ModelScoring.logProbs(reference, prompts: prefixes, responses: picked, temperature: 1, chunk: 4, path: .fullLogits)
        var total = 0.0
        for (lp, ref) in zip(mine, theirs) {
            for (a, b) in zip(lp, ref) { total += a - b }
        }
        let expected = total / Double(picked.count)
        XCTAssertEqual(kl, expected, accuracy: 1e-4)
        XCTAssertEqual(try judge.klToReference(model, reference: reference, samples: 2, seed: 123, reusing: sampled), kl,
                       "reused samples do not depend on the KL seed")
        let fresh = try judge.klToReference(model, reference: reference, samples: 2, seed: 99)
        XCTAssertNotEqual(fresh, kl, "fresh samples are other draws")
        let greedy = try judge.sample(model, temperature: 0, seed: 0)
        XCTAssertEqual(try judge.klToReference(model, reference: reference, samples: 2, seed: 99, reusing: greedy), fresh,
                       "greedy responses are not temperature-1 samples: fresh ones are drawn")
        XCTAssertEqual(try judge.klToReference(model, reference: reference, samples: 4, seed: 99, reusing: sampled),
                       try judge.klToReference(model, reference: reference, samples: 4, seed: 99),
                       "more KL samples than judged samples: fresh ones are drawn")
    }

    func testBF16SamplingFallsBackToFP32WhereUnsupportedAndLeavesTheModelInFP32() throws {
        let model = try LlamaModel(config: config, seed: 1)
        let fp32 = try judge(samples: 2).respond(model, temperature: 1, seed: 8)
        let bf16 = try judge(samples: 2, precision: .bf16).respond(model, temperature: 1, seed: 8)
        XCTAssertEqual(model.inferencePrecision, .fp32, "the sampling precision applies only while sampling")
        XCTAssertEqual(bf16.count, fp32.count)
        if InferencePrecision.bf16.effective == .fp32 {
            XCTAssertEqual(bf16, fp32, "without AVX-512 BF16 a bf16 judge samples in fp32")
        }
    }
}
