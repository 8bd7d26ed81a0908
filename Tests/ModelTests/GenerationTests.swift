import XCTest
@testable import Model

/// KV-cache sampling against full recomputation, EOS handling, greedy decoding and scoring.
final class GenerationTests: XCTestCase {
    private let prompts: [[Int32]] = [[8, 1, 2, 3, 4], [8, 5], [8, 7, 6]]

    func testKVCacheGenerationEqualsRecompute() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 11)
        for options in [SamplingOptions(temperature: 0, maxNewTokens: 8, stopAtEOS: false),
                        SamplingOptions(temperature: 1, maxNewTokens: 8),
                        SamplingOptions(temperature: 0.8, topK: 4, topP: 0.9, maxNewTokens: 8)] {
            var rng1 = Xoshiro256(seed: 5), rng2 = Xoshiro256(seed: 5)
            var cached = options, recompute = options
            cached.useKVCache = true
            recompute.useKVCache = false
            let a = try model.generate(prompts: prompts, options: cached, rng: &rng1)
            let b = try model.generate(prompts: prompts, options: recompute, rng: &rng2)
            XCTAssertEqual(a.tokens, b.tokens)
            XCTAssertEqual(a.reachedEOS, b.reachedEOS)
            for (x, y) in zip(a.logProbs.joined(), b.logProbs.joined()) { XCTAssertEqual(x, y, accuracy: 1e-4) }
            XCTAssertEqual(a.tokens.map(\.count).max(), 8)
        }
    }

    func testKVCacheGenerationEqualsRecomputeWhileSequencesFinishAtDifferentSteps() throws {
        var config = TestModels.config
        config.maxPositionEmbeddings = 64
        let model = try LlamaModel(config: config, seed: 21)
        let many: [[Int32]] = (0..<12).map { (i: Int) -> [Int32] in [8] + (0..<(1 + i % 5)).map { (j: Int) -> Int32 in Int32((j + i) % 8) } }
        var rng1 = Xoshiro256(seed: 8), rng2 = Xoshiro256(seed: 8)
        var cached = SamplingOptions(temperature: 1.2, maxNewTokens: 30), recompute = cached
        cached.useKVCache = true
        recompute.useKVCache = false
        let a = try model.generate(prompts: many, options: cached, rng: &rng1)
        let b = try model.generate(prompts: many, options: recompute, rng: &rng2)
        XCTAssertEqual(a.tokens, b.tokens)
        XCTAssertEqual(a.reachedEOS, b.reachedEOS)
        for (x, y) in zip(a.logProbs.joined(), b.logProbs.joined()) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        let finishedLengths = Set(a.tokens.indices.filter { a.reachedEOS[$0] }.map { a.tokens[$0].count })
        XCTAssertGreaterThanOrEqual(finishedLengths.count, 3, "sequences leave the batch at several different steps")
        XCTAssertEqual(rng1.next(), rng2.next(), "both paths drew the same random numbers")
    }

    /// Repeated prompts (prefilled once and copied) with a temperature per row match the recompute path,
    /// which runs every row on its own; greedy rows of the same prompt agree.
    func testRepeatedPromptsWithRowTemperaturesMatchRecompute() throws {
        var config = TestModels.config
        config.maxPositionEmbeddings = 64
        let model = try LlamaModel(config: config, seed: 13)
        let repeated = [prompts[1], prompts[0], prompts[1], prompts[2], prompts[0], prompts[1]]
        let temperatures: [Float] = [0, 1.3, 0.7, 1, 0, 0]
        var rng1 = Xoshiro256(seed: 4), rng2 = Xoshiro256(seed: 4)
        var cached = SamplingOptions(maxNewTokens: 20), recompute = cached
        recompute.useKVCache = false
        let a = try model.generate(prompts: repeated, options: cached, temperatures: temperatures, rng: &rng1)
        let b = try model.generate(prompts: repeated, options: recompute, temperatures: temperatures, rng: &rng2)
        XCTAssertEqual(a.tokens, b.tokens)
        XCTAssertEqual(a.reachedEOS, b.reachedEOS)
        for (x, y) in zip(a.logProbs.joined(), b.logProbs.joined()) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        XCTAssertEqual(a.tokens[0], a.tokens[5], "greedy rows of one prompt agree")
        XCTAssertNotEqual(a.tokens[0], a.tokens[2], "a sampled row of the same prompt differs from its greedy row")
        var greedy = Xoshiro256(seed: 1)
        cached.temperature = 0
        XCTAssertEqual(try model.generate(prompts: [prompts[0]], options: cached, rng: &greedy).tokens[0], a.tokens[4])
        XCTAssertThrowsError(try model.generate(prompts: repeated, options: cached, temperatures: [1], rng: &greedy))
    }

    func testStopsAtEOSAndReportsIt() throws {
        var config = TestModels.config
        config.maxPositionEmbeddings = 256
        let model = try LlamaModel(config: config, seed: 3)
        let normed = try model.parameter(named: "model.norm.weight")
        try model.setParameter(named: "model.norm.weight", to: normed.map { _ in 0 })
        var rng = Xoshiro256(seed: 1)
        // With a zero final norm all logits are 0: uniform over 11 tokens; EOS comes eventually.
        let g = try model.generate(prompts: prompts, options: SamplingOptions(maxNewTokens: 200), rng: &rng)
        for b in 0..<prompts.count {
            XCTAssertTrue(g.reachedEOS[b])
            XCTAssertEqual(g.tokens[b].last, TestModels.config.eosTokenId)
            XCTAssertEqual(g.tokens[b].filter { $0 == 9 }.count, 1, "nothing after EOS")
            for lp in g.logProbs[b] { XCTAssertEqual(lp, -Float(Foundation.log(11.0)), accuracy: 1e-5) }
        }
    }

    func testGreedyIsDeterministicArgmaxAndScoringMatchesSampledLogProbs() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 12)
        var rng = Xoshiro256(seed: 9)
        let g = try model.generate(prompts: prompts, options: SamplingOptions(temperature: 1, maxNewTokens: 6), rng: &rng)
        let scored = try model.responseLogProbs(prompts: prompts, responses: g.tokens)
        for (x, y) in zip(scored.joined(), g.logProbs.joined()) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        var r1 = Xoshiro256(seed: 1), r2 = Xoshiro256(seed: 2)
        let greedy = SamplingOptions(temperature: 0, maxNewTokens: 5, stopAtEOS: false)
        let g1 = try model.generate(prompts: prompts, options: greedy, rng: &r1)
        let g2 = try model.generate(prompts: prompts, options: greedy, rng: &r2)
        XCTAssertEqual(g1.tokens, g2.tokens, "greedy ignores the seed")
        let logits = try model.forward(Batch(sequences: [prompts[0]], padToken: 10)).logits
        let last = Array(logits[(4 * 11)..<(5 * 11)])
        XCTAssertEqual(Int(g1.tokens[0][0]), last.indices.max { last[$0] < last[$1] })
    }

    func testTopKOneIsGreedyAndTopPTruncates() {
        let logits: [Float] = [0, 3, 1, 2.9]
        var rng = Xoshiro256(seed: 4)
        for _ in 0..<20 {
            XCTAssertEqual(SamplingOptions(topK: 1).sample(logits: logits[...], rng: &rng).token, 1)
            let (tok, lp) = SamplingOptions(topP: 0.5).sample(logits: logits[...], rng: &rng)
            XCTAssertTrue(tok == 1 || tok == 3)
            XCTAssertLessThan(lp, 0)
        }
    }

    func testTooLongGenerationIsAnError() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 1)
        var rng = Xoshiro256(seed: 1)
        XCTAssertThrowsError(try model.generate(prompts: prompts, options: SamplingOptions(maxNewTokens: 40), rng: &rng)) {
            guard case ModelError.sequenceTooLong = $0 else { return XCTFail("\($0)") }
        }
    }
}
