import XCTest
@testable import World

/// The Bradley-Terry annotator: probabilities, length bias, flips, pair modes.
final class AnnotatorTests: XCTestCase {
    /// An annotator with the given knobs.
    private func annotator(bias: Double = 0, flip: Double = 0, temperature: Double = 0.1, seed: UInt64 = 1) throws -> Annotator {
        var config = AnnotatorConfig()
        config.lengthBias = bias
        config.labelFlipRate = flip
        config.temperature = temperature
        config.seed = seed
        return try Annotator(config: config)
    }

    /// Wrong answers of random lengths to random prompts: gold is 0 for both, so only length can matter.
    private func equalGoldPairs(_ count: Int) -> [(WorldTask, Candidate, Candidate)] {
        var rng = SplitMix64(seed: 99)
        return (0..<count).map { _ in
            let task = WorldTask.random(.add, using: &rng)
            let a = String(repeating: "x", count: rng.int(in: 1...30))
            var b = a
            while b.count == a.count { b = String(repeating: "y", count: rng.int(in: 1...30)) }
            return (task, Candidate(a), Candidate(b))
        }
    }

    /// Fraction of judgements preferring the longer response.
    private func longerChosenFraction(_ annotator: inout Annotator) -> Double {
        let pairs = equalGoldPairs(2_000)
        let longer = pairs.filter { task, a, b in
            let j = annotator.compare(task: task, a: a, b: b)
            return j.prefersA == (a.text.count > b.text.count)
        }
        return Double(longer.count) / Double(pairs.count)
    }

    func testLengthBiasMakesLongerResponsesWin() throws {
        var unbiased = try annotator(bias: 0)
        XCTAssertEqual(longerChosenFraction(&unbiased), 0.5, accuracy: 0.04)
        var biased = try annotator(bias: 0.02)
        XCTAssertGreaterThan(longerChosenFraction(&biased), 0.8)
    }

    func testLengthBiasShowsInAGeneratedPreferenceSet() throws {
        var config = WorldConfig()
        config.preferencePromptCount = 150
        let world = try World(config: config)
        func longerFraction(_ bias: Double) throws -> Double {
            var a = try annotator(bias: bias)
            let pairs = try world.syntheticPreferences(annotator: &a, candidatesPerPrompt: 4, mode: .allPairs)
            let decided = pairs.filter { $0.chosen.count != $0.rejected.count }
            return Double(decided.filter { $0.chosen.count > $0.rejected.count }.count) / Double(decided.count)
        }
        let unbiased = try longerFraction(0), biased = try longerFraction(0.05)
        XCTAssertLessThan(unbiased, 0.5, "gold prefers short clean answers")
        XCTAssertGreaterThan(biased, 0.75)
    }

    func testFlipRateStatistics() throws {
        var a = try annotator(flip: 0.2, temperature: 0)
        let task = try WorldTask(parsing: "reverse the word cat.")
        var flips = 0, wrong = 0
        for _ in 0..<4_000 {
            let j = a.compare(task: task, a: Candidate("tac"), b: Candidate("dog"))
            XCTAssertEqual(j.probabilityA, 1)
            if j.flipped { flips += 1 }
            if !j.prefersA { wrong += 1 }
        }
        XCTAssertEqual(Double(flips) / 4_000, 0.2, accuracy: 0.025)
        XCTAssertEqual(flips, wrong, "with T = 0 every wrong label is a flip")
    }

    func testBradleyTerryProbabilityAndTemperature() throws {
        XCTAssertEqual(Annotator.probability(0, temperature: 0.1), 0.5)
        XCTAssertEqual(Annotator.probability(0.1, temperature: 0.1), 1 / (1 + exp(-1)), accuracy: 1e-12)
        XCTAssertGreaterThan(Annotator.probability(0.5, temperature: 0.1), Annotator.probability(0.5, temperature: 1))
        var a = try annotator(temperature: 1)
        let task = try WorldTask(parsing: "reverse the word cat.")
        let n = 4_000
        let wins = (0..<n).filter { _ in a.compare(task: task, a: Candidate("tac"), b: Candidate("dog")).prefersA }.count
        XCTAssertEqual(Double(wins) / Double(n), 1 / (1 + exp(-1.0)), accuracy: 0.03)
    }

    func testPairModesCountsOrderAndReasons() throws {
        var a = try annotator(temperature: 0)
        let prompt = "repeat cat 3 times."
        let candidates = ["cat cat cat", "cat cat", "dog", "the answer is cat cat cat.", "cat cat"].map { Candidate($0) }
        let all = try a.preferencePairs(prompt: prompt, candidates: candidates, mode: .allPairs)
        XCTAssertEqual(all.count, 6, "4 distinct candidates give 4·3/2 pairs")
        let best = try a.preferencePairs(prompt: prompt, candidates: candidates, mode: .bestVsRest)
        XCTAssertEqual(best.count, 3)
        XCTAssertTrue(best.allSatisfy { $0.chosen == "cat cat cat" && $0.source == "annotator" })
        XCTAssertTrue(all.allSatisfy { ($0.reason ?? "").contains("P(A)=") && $0.chosen != $0.rejected })
        // The A/B presentation order is randomised: the best answer is shown as A in some pairs, B in others.
        var shownFirst = 0
        for _ in 0..<20 {
            for record in try a.preferencePairs(prompt: prompt, candidates: candidates, mode: .bestVsRest) {
                if record.reason?.hasPrefix("A gold 1.00") == true { shownFirst += 1 }
            }
        }
        XCTAssertGreaterThan(shownFirst, 10)
        XCTAssertLessThan(shownFirst, 50)
    }

    func testAnnotatorIsDeterministicPerSeed() throws {
        let world = try World()
        let prompt = try world.preferencePrompts()[0].prompt
        let candidates = try world.candidateResponses(for: prompt, count: 5).map { Candidate($0) }
        var a = try annotator(seed: 5), b = try annotator(seed: 5)
        XCTAssertEqual(try a.preferencePairs(prompt: prompt, candidates: candidates, mode: .allPairs),
                       try b.preferencePairs(prompt: prompt, candidates: candidates, mode: .allPairs))
    }
}
