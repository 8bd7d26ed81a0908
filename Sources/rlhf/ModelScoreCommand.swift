import ArgumentParser
import Foundation
import Stages

/// `rlhf model score`: a reward model's score of a response, or of every line of a JSONL file of responses or pairs.
struct ModelScoreCommand: ParsableCommand {
    /// Command name and help.
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score responses with a reward-model checkpoint (LlamaForSequenceClassification).",
        discussion: """
        Either --prompt and --response (one score), or --pairs FILE.jsonl with one object a line: {"prompt", "response"} \
        for a score, or {"prompt", "chosen", "rejected"} for both scores and the margin (strings or TRL message lists). \
        Responses are encoded with the chat format the reward model was trained with and scored at their closing EOS.
        """)

    /// Reward-model checkpoint directory.
    @Argument(help: "Reward-model checkpoint directory (a reward_model node's output).")
    var directory: String

    /// The prompt.
    @Option(help: "The prompt (with --response).")
    var prompt: String?

    /// The response.
    @Option(help: "The response to score (with --prompt).")
    var response: String?

    /// A JSONL file of items.
    @Option(help: "A JSONL file: {\"prompt\", \"response\"} or {\"prompt\", \"chosen\", \"rejected\"} per line.", completion: .file(extensions: ["jsonl"]))
    var pairs: String?

    /// JSON output.
    @Flag(help: "Print {\"results\": [...], \"summary\": {...}} as JSON.")
    var json = false

    /// Thread settings.
    @OptionGroup var threads: ThreadsOption

    /// Checks that exactly one input form is given.
    func validate() throws {
        if pairs != nil && (prompt != nil || response != nil) { throw ValidationError("give either --pairs or --prompt with --response, not both") }
        if pairs == nil && (prompt == nil || response == nil) { throw ValidationError("give --prompt and --response, or --pairs FILE.jsonl") }
    }

    /// Runs the command.
    func run() throws {
        threads.apply()
        let scorer = try RewardModelScoring(checkpoint: URL(fileURLWithPath: directory))
        let items: [RewardModelScoring.Item]
        let file: String
        if let pairs {
            file = pairs
            items = try RewardModelScoring.items(at: URL(fileURLWithPath: pairs), file: pairs)
        } else {
            file = "--prompt/--response"
            items = [RewardModelScoring.Item(prompt: prompt!, responses: [response!])]
        }
        let results = try scorer.score(items, file: file)
        let summary = RewardModelScoring.Summary(results)
        if json { return try JSONOutput.print(ScoreOutput(results: results, summary: summary)) }
        if pairs == nil, let score = results.first?.score {
            print(String(format: "%.6f", score))
            return
        }
        let f = { (value: Double?) in value.map { String(format: "%.4f", $0) } ?? "–" }
        TextTable.print(["line", "score", "chosen", "rejected", "margin", "prompt"], results.map { result in
            [result.line.map(String.init) ?? "–", f(result.score), f(result.chosenScore), f(result.rejectedScore), f(result.margin),
             result.prompt.count > 48 ? String(result.prompt.prefix(47)) + "…" : result.prompt]
        })
        print(summary.line)
    }
}

/// `rlhf model score --json`.
struct ScoreOutput: Encodable {
    /// One result per item.
    var results: [RewardModelScoring.Result]
    /// Aggregates.
    var summary: RewardModelScoring.Summary
}
