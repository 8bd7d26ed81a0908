import EngineCore
import Foundation
import Training

/// The judge inputs and params a stage declares, and the judges they wire.
///
/// - `world`: the synthetic world's output; the gold verifier judges world prompts.
/// - `judge_command` (a program file) or `judge_cmd` (a command line): a command judge.
/// - `labels`: a file of human verdicts on given pairs.
/// The reward model is wired by each stage under its own role.
enum JudgeInputs {
    /// The optional judge input roles.
    static let inputs = [
        InputSpec("world", required: false, format: "the world judge: a synth.world output (gold scores of world prompts)"),
        InputSpec("judge_command", required: false, format: "command judge program (a file node; run as $RLHF_JUDGE_PROGRAM)"),
        InputSpec("labels", required: false, format: "labels JSONL: human verdicts on given pairs"),
    ]

    /// The command judge's params, each declared once.
    struct Declarations: ParamDeclarations {
        /// The command line.
        let command = Param.text("judge_cmd", default: nil, derived: "run the judge_command input with the request and verdict paths",
                                 "command judge command line (bash); $RLHF_JUDGE_IN, $RLHF_JUDGE_OUT, $RLHF_JUDGE_PROGRAM")
        /// Seconds per batch.
        let timeout = Param.number("judge_timeout", default: 600, in: 0.001...1_000_000, "seconds one command-judge batch may take")
        /// Pairs per run.
        let batchSize = Param.integer("judge_batch_size", default: 64, in: 1...1_000_000, "pairs sent to the command judge per run")
    }

    /// The declarations.
    static let declared = Declarations()

    /// The world judge when `world` is wired.
    static func world(_ context: StageContext) -> WorldPairJudge? {
        context.inputs["world"] == nil ? nil : WorldPairJudge()
    }

    /// The command judge when `judge_command` or `judge_cmd` is given.
    static func command(_ context: StageContext) throws -> CommandJudge? {
        let params = Params(context)
        let program = context.inputs["judge_command"]
        guard program != nil || params.isSet(declared.command) else { return nil }
        return CommandJudge(command: try params.value(declared.command, default: CommandJudge.defaultCommand), program: program,
                            timeout: try params.value(declared.timeout), batchSize: try params.value(declared.batchSize),
                            workspace: context.workspace, scratch: context.scratch.appendingPathComponent("judge"),
                            node: context.node, context: context)
    }

    /// The labels judge when `labels` is wired.
    static func labels(_ context: StageContext) throws -> LabelsJudge? {
        guard let url = context.inputs["labels"] else { return nil }
        return LabelsJudge(labels: try RecordReader().labels(from: url, file: context.displayPath(url)))
    }

    /// The summary of a command judge's calls.
    static func summary(_ judge: CommandJudge, pairs: Int) -> JudgeSummary {
        JudgeSummary(judge: judge.name, pairs: pairs, positionBias: judge.positionBias, positionChecks: judge.positionChecks,
                     verdicts: judge.judgements.map { JudgeVerdictLog(id: $0.id, pair: $0.pair, swapped: $0.swapped, winner: $0.winner.rawValue, reason: $0.reason) })
    }

    /// Agreement of every two judges over the same pairs: the fraction of pairs both decide (no tie) on which they agree.
    static func agreements(_ verdicts: [(judge: String, verdicts: [PairVerdict?])]) -> [JudgeAgreement] {
        var result: [JudgeAgreement] = []
        for i in verdicts.indices {
            for j in verdicts.indices where j > i {
                var decided = 0, agreed = 0
                for (x, y) in zip(verdicts[i].verdicts, verdicts[j].verdicts) {
                    guard let x, let y, x.winner != .tie, y.winner != .tie else { continue }
                    decided += 1
                    if x.winner == y.winner { agreed += 1 }
                }
                result.append(JudgeAgreement(a: verdicts[i].judge, b: verdicts[j].judge,
                                             agreement: decided == 0 ? nil : Double(agreed) / Double(decided), pairs: decided))
            }
        }
        return result
    }
}
