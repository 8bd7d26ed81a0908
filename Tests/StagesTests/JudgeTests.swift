import Engine
import EngineCore
import Foundation
import Model
import World
import XCTest
@testable import Stages
@testable import Training
import TestSupport

/// Every judge, the command-judge protocol with its failure modes, and position-bias arithmetic.
final class JudgeTests: XCTestCase {
    /// A command judge answering "a" for every request, with a reason.
    static let alwaysA = #"sed 's/,"prompt".*$/,"winner":"a","reason":"A comes first"}/' "$RLHF_JUDGE_IN" > "$RLHF_JUDGE_OUT""#

    /// Four pairs whose response A is always the longer one.
    private let pairs = (1...4).map { i in
        JudgePair(id: "p\(i)", prompt: "Question \(i)?", a: JudgedText(text: "a longer answer number \(i)"), b: JudgedText(text: "short \(i)"))
    }

    private func judge(_ command: String, in h: StageHarness, timeout: Double = 20, batchSize: Int = 64) -> CommandJudge {
        CommandJudge(command: command, program: nil, timeout: timeout, batchSize: batchSize, workspace: h.root,
                     scratch: h.root.appendingPathComponent("judge"), node: "evaluate", context: nil)
    }

    func testAlwaysAJudgeHasPositionBiasOneAndItsVerdictsFollowThePresentationOrder() throws {
        let h = try StageHarness()
        var judge = judge(Self.alwaysA, in: h, batchSize: 2)
        let verdicts = try judge.judge(pairs)
        // Pairs 2 and 4 are shown swapped, so "a" there means the pair's B.
        XCTAssertEqual(verdicts.map { $0?.winner }, [.a, .b, .a, .b])
        XCTAssertEqual(judge.positionChecks, 2, "half the pairs are shown in both orders")
        XCTAssertEqual(judge.positionChanges, 2)
        XCTAssertEqual(judge.positionBias, 1)
        XCTAssertEqual(judge.judgements.count, 6, "4 pairs + 2 checks, every one kept")
        XCTAssertTrue(judge.judgements.allSatisfy { $0.reason == "A comes first" })
        XCTAssertEqual(judge.judgements.filter(\.swapped).count, 3)
    }

    func testPositionBiasArithmeticOnAHandMadeJudge() throws {
        let h = try StageHarness()
        // Longer wins, except that every second-order check presentation answers "a".
        let command = #"awk -F'","(prompt|response_a|response_b)":"' '{ id = substr($1, 8); b = $4; sub(/"}$/, "", b); "#
            + #"w = (length($3) > length(b)) ? "a" : "b"; if (id ~ /~swapped$/) w = "a"; "#
            + #"printf "{\"id\":\"%s\",\"winner\":\"%s\"}\n", id, w }' "$RLHF_JUDGE_IN" > "$RLHF_JUDGE_OUT""#
        var judge = judge(command, in: h)
        let verdicts = try judge.judge(pairs)
        XCTAssertEqual(verdicts.map { $0?.winner }, [.a, .a, .a, .a], "first presentations follow length in both orders")
        // p1: shown A-first (a), checked swapped → "a" means B: changed. p2: shown swapped (b → A), checked A-first → "a": same.
        XCTAssertEqual(judge.positionChecks, 2)
        XCTAssertEqual(judge.positionChanges, 1)
        XCTAssertEqual(judge.positionBias, 0.5)
        let honest = #"awk -F'","(prompt|response_a|response_b)":"' '{ id = substr($1, 8); b = $4; sub(/"}$/, "", b); "#
            + #"printf "{\"id\":\"%s\",\"winner\":\"%s\"}\n", id, (length($3) > length(b)) ? "a" : "b" }' "$RLHF_JUDGE_IN" > "$RLHF_JUDGE_OUT""#
        var fair = self.judge(honest, in: h)
        XCTAssertEqual(try fair.judge(pairs).map { $0?.winner }, [.a, .a, .a, .a])
        XCTAssertEqual(fair.positionBias, 0)
    }

    func testFailingCommandJudgesGiveClearErrors() throws {
        let h = try StageHarness()
        let cases: [(String, String)] = [
            (#"echo "the judge API refused the key" >&2; exit 3"#, "exited with status 3: the judge API refused the key"),
            ("sleep 5", "timed out after"),
            (#"head -n 1 "$RLHF_JUDGE_IN" | sed 's/,"prompt".*$/,"winner":"a"}/' > "$RLHF_JUDGE_OUT""#, "no verdict for 5 of 6 ids"),
            (Self.alwaysA + #"; echo 'not json' >> "$RLHF_JUDGE_OUT""#, "malformed verdict on line 7"),
            (#"sed 's/,"prompt".*$/,"winner":"c"}/' "$RLHF_JUDGE_IN" > "$RLHF_JUDGE_OUT""#, "must be \"a\", \"b\" or \"tie\", found \"c\""),
            (Self.alwaysA + #"; echo '{"id":"ghost","winner":"a"}' >> "$RLHF_JUDGE_OUT""#, "unknown id \"ghost\""),
            (Self.alwaysA + #"; tail -n 1 "$RLHF_JUDGE_OUT" >> "$RLHF_JUDGE_OUT""#, "a second time"),
            ("true", "wrote no verdicts"),
        ]
        for (command, expected) in cases {
            var failing = judge(command, in: h, timeout: 0.5)
            XCTAssertThrowsError(try failing.judge(pairs), command) { error in
                guard case StagesError.judgeFailed(let node, let name, let message) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(node, "evaluate")
                XCTAssertEqual(name, "command")
                XCTAssertTrue(message.contains(expected), "\(command): \(message)")
                XCTAssertTrue("\(error)".hasPrefix("node 'evaluate': command judge: "), "\(error)")
            }
        }
    }

    func testLabelsJudgeAnswersItsPairsInEitherOrderAndNothingElse() throws {
        let h = try StageHarness()
        let file = try h.file("labels.jsonl", """
        {"prompt": "Q?", "response_a": "yes", "response_b": "no", "winner": "b", "reason": "no is right"}
        {"prompt": "R?", "response_a": "x", "response_b": "y", "winner": "tie"}
        """)
        let judge = LabelsJudge(labels: try RecordReader().labels(from: file))
        let verdicts = try judge.judge([
            JudgePair(id: "1", prompt: "Q?", a: JudgedText(text: "yes"), b: JudgedText(text: "no")),
            JudgePair(id: "2", prompt: "Q?", a: JudgedText(text: "no"), b: JudgedText(text: "yes")),
            JudgePair(id: "3", prompt: "R?", a: JudgedText(text: "x"), b: JudgedText(text: "y")),
            JudgePair(id: "4", prompt: "S?", a: JudgedText(text: "x"), b: JudgedText(text: "y")),
        ])
        XCTAssertEqual(verdicts.map { $0?.winner }, [.b, .a, .tie, nil])
        XCTAssertEqual(verdicts[0]?.reason, "no is right")
        let bad = try h.file("bad.jsonl", #"{"prompt": "Q?", "response_a": "yes", "winner": "maybe"}"# + "\n")
        XCTAssertThrowsError(try RecordReader().labels(from: bad, file: "bad.jsonl")) { error in
            XCTAssertTrue("\(error)".contains("bad.jsonl:1: response_b: missing required string field; winner: must be"), "\(error)")
        }
    }

    func testWorldAndRewardModelJudges() throws {
        let world = WorldPairJudge()
        let verdicts = try world.judge([
            JudgePair(id: "1", prompt: "reverse the word cat.", a: JudgedText(text: "tac"), b: JudgedText(text: "cat")),
            JudgePair(id: "2", prompt: "What is the capital of France?", a: JudgedText(text: "Paris"), b: JudgedText(text: "Rome")),
        ])
        XCTAssertEqual(verdicts[0]?.winner, .a)
        XCTAssertNil(verdicts[1], "the world judges only world prompts")

        var rmConfig = PPOTestFixtures.config.withScalarHead()
        rmConfig.initializerRange = 0.2
        let rm = RewardModelJudge(model: try LlamaModel(config: rmConfig, seed: 3), renderer: ChatRenderer(tokenizer: ByteTokenizer()))
        let pair = JudgePair(id: "1", prompt: "Hi?", a: JudgedText(text: "Hello there."), b: JudgedText(text: "Go away."))
        let swapped = JudgePair(id: "2", prompt: "Hi?", a: pair.b, b: pair.a)
        let both = try rm.judge([pair, swapped])
        let scores = try rm.trainer.scores([("Hi?", "Hello there."), ("Hi?", "Go away.")])
        XCTAssertEqual(try XCTUnwrap(both[0]?.probabilityA), Statistics.sigmoid(scores[0] - scores[1]), accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(both[0]?.probabilityA) + XCTUnwrap(both[1]?.probabilityA), 1, accuracy: 1e-9)
        XCTAssertEqual(both[0]?.winner, both[1]?.winner.swapped)
    }

    func testAgreementCountsOnlyPairsBothJudgesDecide() {
        func v(_ w: PairWinner?) -> PairVerdict? { w.map { PairVerdict(winner: $0, reason: nil, probabilityA: nil) } }
        let agreements = JudgeInputs.agreements([("x", [v(.a), v(.a), v(.b), v(.tie), v(.a)]), ("y", [v(.a), v(.b), v(.b), v(.a), nil])])
        XCTAssertEqual(agreements.count, 1)
        XCTAssertEqual(agreements[0].pairs, 3)
        XCTAssertEqual(try XCTUnwrap(agreements[0].agreement), 2.0 / 3, accuracy: 1e-12)
    }
}
