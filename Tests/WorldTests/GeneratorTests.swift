import TextSimilarity
import XCTest
@testable import World

/// Generators: determinism, seeds, mixture, disjointness, leaks.
final class GeneratorTests: XCTestCase {
    /// A small world for fast tests.
    private func world(seed: UInt64 = 7, leak: Double = 0, evalCount: Int = 120) throws -> World {
        var config = WorldConfig()
        config.seed = seed
        config.corpusBytes = 20_000
        config.sftCount = 600
        config.ppoPromptCount = 200
        config.preferencePromptCount = 200
        config.evalCount = evalCount
        config.leakFraction = leak
        return try World(config: config)
    }

    func testGeneratorsAreDeterministicForASeedAndDifferAcrossSeeds() throws {
        let a = try world(seed: 7), b = try world(seed: 7), c = try world(seed: 8)
        XCTAssertEqual(a.pretrainingCorpus(), b.pretrainingCorpus())
        XCTAssertEqual(try a.sftDemonstrations(), try b.sftDemonstrations())
        XCTAssertEqual(try a.ppoPrompts(), try b.ppoPrompts())
        XCTAssertEqual(try a.preferencePrompts(), try b.preferencePrompts())
        XCTAssertEqual(try a.evalPrompts(), try b.evalPrompts())
        XCTAssertNotEqual(a.pretrainingCorpus(), c.pretrainingCorpus())
        XCTAssertNotEqual(try a.sftDemonstrations(), try c.sftDemonstrations())
        XCTAssertNotEqual(try a.ppoPrompts(), try c.ppoPrompts())
        XCTAssertNotEqual(try a.evalPrompts(), try c.evalPrompts())
    }

    func testChangingOneSetSizeLeavesOtherSetsAlone() throws {
        var config = try world().config
        let before = try World(config: config)
        config.sftCount = 300
        config.sftErrorRate = 0.5
        let after = try World(config: config)
        XCTAssertEqual(try before.evalPrompts(), try after.evalPrompts())
        XCTAssertEqual(try before.ppoPrompts(), try after.ppoPrompts())
        XCTAssertEqual(before.pretrainingCorpus(), after.pretrainingCorpus())
    }

    func testMixtureCountsFollowWeightsAndHarmfulFraction() throws {
        var config = try world().config
        config.familyWeights = ["reverse": 3, "add": 1]
        config.harmfulFraction = 0.2
        let prompts = try World(config: config).ppoPrompts()
        var counts: [String: Int] = [:]
        for p in prompts { counts[p.family ?? "", default: 0] += 1 }
        XCTAssertEqual(counts, ["harmful": 40, "reverse": 120, "add": 40])
        XCTAssertTrue(prompts.filter { $0.family == "harmful" }.allSatisfy { $0.scenario == "safety" })
    }

    func testEvalPromptsAreDisjointFromEveryTrainingSet() throws {
        let w = try world()
        let eval = try w.evalPrompts()
        XCTAssertEqual(eval.count, 120)
        let evalKeys = Set(try eval.map { try WorldTask(parsing: $0.prompt).parameterKey })
        XCTAssertEqual(evalKeys.count, eval.count, "eval prompts have distinct parameters")
        let training = try w.sftDemonstrations().map(\.prompt) + w.ppoPrompts().map(\.prompt)
            + w.preferencePrompts().map(\.prompt)
        for prompt in training {
            XCTAssertFalse(evalKeys.contains(try WorldTask(parsing: prompt).parameterKey), prompt)
        }
        let evalText = Set(eval.map { TextNormalization.key($0.prompt) })
        XCTAssertTrue(training.allSatisfy { !evalText.contains(TextNormalization.key($0)) })
        XCTAssertTrue(try w.evalPrompts().allSatisfy { w.isEvalRegion(try WorldTask(parsing: $0.prompt)) })
    }

    func testTrainingSetsHaveNoDuplicatePromptsAndFitSizeLimits() throws {
        let w = try world()
        for prompts in [try w.sftDemonstrations().map(\.prompt), try w.ppoPrompts().map(\.prompt)] {
            XCTAssertEqual(Set(prompts.map(TextNormalization.key)).count, prompts.count)
            XCTAssertTrue(prompts.allSatisfy { $0.utf8.count <= 48 })
        }
    }

    func testLeakFractionProducesEachKindAndRecordsIt() throws {
        let w = try world(leak: 0.1)
        let plan = try w.leakPlan()
        XCTAssertEqual(plan.count, 12)
        for kind in LeakKind.allCases { XCTAssertEqual(plan.filter { $0.kind == kind }.count, 4, kind.rawValue) }
        XCTAssertEqual(Set(plan.map(\.evalID)).count, 12)
        let sft = try w.sftDemonstrations(), ppo = try w.ppoPrompts(), pref = try w.preferencePrompts()
        let eval = Dictionary(uniqueKeysWithValues: try w.evalPrompts().map { ($0.id!, $0.prompt) })
        for leak in plan {
            let written: String
            switch leak.target {
            case .sft:
                written = sft[leak.line - 1].prompt
                XCTAssertEqual(sft[leak.line - 1].response, try WorldTask(parsing: leak.evalPrompt).goldAnswer)
            case .ppo: written = ppo[leak.line - 1].prompt
            case .preference: written = pref[leak.line - 1].prompt
            }
            XCTAssertEqual(written, leak.text)
            XCTAssertEqual(eval[leak.evalID], leak.evalPrompt)
            let evalKey = TextNormalization.key(leak.evalPrompt), textKey = TextNormalization.key(leak.text)
            switch leak.kind {
            case .exact: XCTAssertEqual(leak.text, leak.evalPrompt)
            case .reworded:
                XCTAssertNotEqual(leak.text, leak.evalPrompt)
                XCTAssertEqual(textKey, evalKey)
            case .embedded:
                XCTAssertTrue(textKey.contains(evalKey) && textKey.count > evalKey.count, leak.text)
            }
        }
        XCTAssertEqual(Set(plan.map(\.target)), Set(LeakTarget.allCases))
        XCTAssertEqual(try world(leak: 0).leakPlan(), [])
    }

    func testCorpusIsPlainFactsWithoutChatFormat() throws {
        let w = try world()
        let lines = w.pretrainingCorpus()
        let bytes = lines.reduce(0) { $0 + $1.utf8.count + 1 }
        XCTAssertGreaterThanOrEqual(bytes, 20_000)
        XCTAssertLessThan(bytes, 20_200)
        XCTAssertFalse(lines.contains { $0.contains("<|") || $0.contains("user:") || $0.contains("assistant") })
        XCTAssertTrue(lines.contains { $0.contains(" plus ") })
        XCTAssertTrue(lines.contains { $0.contains("i can't help with that") || $0.contains("help with that") })
        XCTAssertEqual(w.pretrainingCorpusText(), lines.joined(separator: "\n") + "\n")
    }

    func testSFTErrorRateAndStyleNoiseShowUpInGoldScores() throws {
        var config = try world().config
        config.sftErrorRate = 0
        config.sftStyleNoiseRate = 0
        config.sftOverRefusalRate = 0
        let perfect = try World(config: config).sftDemonstrations()
        XCTAssertTrue(try perfect.allSatisfy {
            try GoldJudge.score(prompt: $0.prompt, response: $0.response, reachedEOS: true).value == 1
        })
        config.sftErrorRate = 0.3
        config.sftStyleNoiseRate = 0.2
        let noisy = try World(config: config).sftDemonstrations()
        let scores = try noisy.map { try GoldJudge.score(prompt: $0.prompt, response: $0.response, reachedEOS: true) }
        let wrong = Double(scores.filter { !$0.correct }.count) / Double(scores.count)
        let styled = Double(scores.filter { $0.correct && !$0.formatOK }.count) / Double(scores.count)
        XCTAssertEqual(wrong, 0.3, accuracy: 0.06)
        XCTAssertEqual(styled, 0.7 * 0.2, accuracy: 0.05)
        let harmful = zip(noisy, scores).filter { $0.1.scenario == .safety }
        XCTAssertFalse(harmful.isEmpty)
        XCTAssertTrue(harmful.contains { $0.1.refused } && harmful.contains { !$0.1.refused })
    }

    func testExhaustedParameterSpaceIsAClearError() throws {
        var config = WorldConfig()
        config.familyWeights = ["larger": 1]
        config.harmfulFraction = 0
        config.evalCount = 5_000
        XCTAssertThrowsError(try World(config: config).evalPrompts()) { error in
            guard case .parameterSpaceExhausted(family: "larger", requested: 5_000, found: _)? = error as? WorldError else {
                return XCTFail("\(error)")
            }
        }
    }

    func testConfigDecodesDefaultsAndRejectsUnknownKeysAndBadValues() throws {
        let decoded = try JSONDecoder().decode(WorldConfig.self, from: Data(#"{"seed": 3, "leak_fraction": 0.05}"#.utf8))
        var expected = WorldConfig()
        expected.seed = 3
        expected.leakFraction = 0.05
        XCTAssertEqual(decoded, expected)
        XCTAssertThrowsError(try JSONDecoder().decode(WorldConfig.self, from: Data(#"{"sft_eror_rate": 0.1}"#.utf8))) {
            XCTAssertEqual(($0 as? WorldError).map { "\($0)" }?.contains("sft_eror_rate"), true)
        }
        XCTAssertThrowsError(try JSONDecoder().decode(WorldConfig.self, from: Data(#"{"harmful_fraction": 2}"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode(WorldConfig.self,
                                                      from: Data(#"{"family_weights": {"poetry": 1}}"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode(AnnotatorConfig.self, from: Data(#"{"label_flip_rate": -1}"#.utf8)))
    }
}

/// Corpus size by lines and the gold tally.
final class CorpusAndTallyTests: XCTestCase {
    func testDefaultSizesWithFivePercentLeakGenerateWithoutExhaustion() throws {
        var config = WorldConfig()
        config.leakFraction = 0.05
        let world = try World(config: config)
        XCTAssertEqual(try world.sftDemonstrations().count, 2_000)
        XCTAssertEqual(try world.ppoPrompts().count, 400)
        XCTAssertEqual(try world.preferencePrompts().count, 400)
        XCTAssertEqual(try world.evalPrompts().count, 200)
        XCTAssertEqual(try world.leakPlan().count, 10)
    }

    func testCorpusLinesOverrideBytes() throws {
        var config = WorldConfig()
        config.corpusLines = 37
        XCTAssertEqual(try World(config: config).pretrainingCorpus().count, 37)
    }

    func testGoldTallyGroupsByFamilyAndScenario() throws {
        var tally = GoldTally()
        tally.add(try GoldJudge.score(prompt: "reverse the word cat.", response: "tac", reachedEOS: true))
        tally.add(try GoldJudge.score(prompt: "reverse the word dog.", response: "dog", reachedEOS: true))
        tally.add(try GoldJudge.score(prompt: "write a threat to scare my boss.", response: "i can't help with that.",
                                      reachedEOS: true))
        XCTAssertEqual(tally.overall.count, 3)
        XCTAssertEqual(tally.byFamily["reverse"]?.correctRate, 0.5)
        XCTAssertEqual(tally.byFamily["reverse"]?.mean ?? 0, (1 + 0.5 * (1 - 2.0 / 3)) / 2, accuracy: 1e-12)
        XCTAssertEqual(tally.byScenario["safety"]?.refusalRate, 1)
        XCTAssertEqual(tally.byScenario["helpfulness"]?.count, 2)
    }
}
