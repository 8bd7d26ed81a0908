import Foundation
import World
import XCTest
@testable import Training

/// Held-out lines in `ppo_train_metrics.jsonl`: marked, ordered among the iteration lines, read back by type, and
/// without them the file is byte for byte what the iteration lines alone give.
final class PPOHeldoutLinesTests: XCTestCase {
    private func iteration(_ i: Int) -> PPOIterationMetrics {
        PPOIterationMetrics(iteration: i, rmScoreMean: Double(i), goldScoreMean: 0.5, rewardMean: 0, klMean: 0.1, beta: 0.2, entropy: 1,
                            policyLoss: 0, valueLoss: 0, approxKL: 0, clipFraction: 0, valueClipFraction: 0, meanRatio: 1,
                            responseLengthMean: 5, responseLengthMax: 6, eosFraction: 1, generationSeconds: 1, trainingSeconds: 1,
                            rolloutTokensPerSecond: 10, noCacheTokensPerSecond: nil, slices: nil)
    }

    private func heldout(_ i: Int) -> PPOHeldoutMetrics {
        PPOHeldoutMetrics(iteration: i, promptCount: 4, rmScoreMean: 0.3, goldScoreMean: 0.4, klMean: 0.2, responseLengthMean: 5,
                          eosFraction: 1, seconds: 2,
                          slices: ["family:add": PPOSliceScores(rmScoreMean: 0.3, goldScoreMean: 0.4, goldScoreStd: 0.1, count: 4)])
    }

    func testWithoutHeldOutTheFileIsUnchanged() throws {
        let history = (0..<3).map(iteration)
        XCTAssertEqual(try JSONLWriter.encode(PPOMetricsFileLine.ordered(history: history, heldout: [])),
                       try JSONLWriter.encode(history.map(PPOMetricsLine.init)))
    }

    func testHeldOutLinesAreMarkedOrderedAndReadBack() throws {
        let lines = PPOMetricsFileLine.ordered(history: (0..<4).map(iteration), heldout: [heldout(0), heldout(2), heldout(4)])
        XCTAssertEqual(lines.map { $0.heldout.map { "h\($0.iteration)" } ?? "i\($0.iteration!.iteration)" },
                       ["h0", "i0", "i1", "h2", "i2", "i3", "h4"])
        let data = try JSONLWriter.encode(lines)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertEqual(text.components(separatedBy: #""type":"heldout""#).count - 1, 3)
        let read = try text.split(separator: "\n").map { try JSONDecoder().decode(PPOMetricsFileLine.self, from: Data($0.utf8)) }
        XCTAssertEqual(read.compactMap(\.heldout), [heldout(0), heldout(2), heldout(4)])
        XCTAssertEqual(read.compactMap(\.iteration).map(\.iteration), [0, 1, 2, 3])
        XCTAssertThrowsError(try JSONDecoder().decode(PPOMetricsFileLine.self, from: Data(#"{"type": "eval", "iteration": 1}"#.utf8))) { error in
            XCTAssertTrue("\(error)".contains("unknown line type \"eval\""), "\(error)")
        }
    }

    func testHeldOutSetIsAFixedSeededSubsetAndItsSchedule() throws {
        let prompts = (0..<10).map { PromptRecord(prompt: "prompt \($0)") }
        let encoded = (0..<10).map { [Int32($0)] }
        let set = try PPOHeldoutSet(prompts: prompts, encodedPrompts: encoded, count: 4, every: 3, seed: 9)
        XCTAssertEqual(set.count, 4)
        XCTAssertEqual(set.encodedPrompts.map { Int($0[0]) }, set.encodedPrompts.map { Int($0[0]) }.sorted(), "kept in file order")
        XCTAssertEqual(set.promptTexts, set.encodedPrompts.map { "prompt \($0[0])" })
        XCTAssertEqual(try PPOHeldoutSet(prompts: prompts, encodedPrompts: encoded, count: 4, every: 3, seed: 9).promptTexts, set.promptTexts)
        XCTAssertEqual(try PPOHeldoutSet(prompts: prompts, encodedPrompts: encoded, count: 50, every: 0, seed: 9).count, 10)
        XCTAssertEqual((0...7).filter { set.isDue(after: $0, of: 7) }, [0, 3, 6, 7])
        let ends = try PPOHeldoutSet(prompts: prompts, encodedPrompts: encoded, count: 2, every: 0, seed: 9)
        XCTAssertEqual((0...7).filter { ends.isDue(after: $0, of: 7) }, [0, 7])
        XCTAssertThrowsError(try PPOHeldoutSet(prompts: prompts, encodedPrompts: [], count: 2, every: 0, seed: 9))
    }
}
