import Training
import World

/// The world judge: the synthetic world's gold verifier. It scores only world prompts, and only when a
/// stage has the world wired as its `world` input.
enum WorldJudge {
    /// The gold report of `completions`; a prompt that is no world task is an error naming the node and the prompt.
    static func goldReport(_ completions: [Completion], node: String) throws -> GoldReport {
        do {
            return GoldReport(try GoldReport.score(completions))
        } catch let error as WorldError {
            throw StagesError.invalidInputs(node: node, message: "the world judge scores only the world's prompts: \(error); "
                + "remove the 'world' input to evaluate other prompts without gold scores")
        }
    }

    /// The gold score of `response` to `prompt`, or nil when the prompt is no world task.
    static func score(prompt: String, response: String, reachedEOS: Bool) -> Double? {
        guard let task = try? WorldTask(parsing: prompt) else { return nil }
        return GoldJudge.score(task: task, response: response, reachedEOS: reachedEOS).value
    }
}

/// The world's gold verifier as a pairwise judge: the higher gold score wins; nil on non-world prompts.
struct WorldPairJudge: PairJudge {
    /// "world".
    let name = "world"

    /// Gold verdicts (ties when both responses score the same).
    func judge(_ pairs: [JudgePair]) throws -> [PairVerdict?] {
        pairs.map { pair in
            guard let a = WorldJudge.score(prompt: pair.prompt, response: pair.a.text, reachedEOS: pair.a.reachedEOS),
                  let b = WorldJudge.score(prompt: pair.prompt, response: pair.b.text, reachedEOS: pair.b.reachedEOS) else { return nil }
            return PairVerdict(winner: Self.winner(a, b), reason: nil, probabilityA: nil)
        }
    }
}
