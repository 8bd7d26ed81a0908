import Foundation

/// A response to be judged: its decoded text and whether generation reached EOS.
public struct Candidate: Equatable, Sendable {
    /// The decoded response text.
    public var text: String
    /// Whether generation ended at EOS (false: cut off at the length limit).
    public var reachedEOS: Bool

    /// Creates a candidate; data read from files counts as having reached EOS.
    public init(_ text: String, reachedEOS: Bool = true) {
        self.text = text
        self.reachedEOS = reachedEOS
    }
}

/// One labelled comparison of A against B.
public struct Judgement: Equatable, Sendable {
    /// Whether the final label prefers A.
    public var prefersA: Bool
    /// P(A preferred) under the Bradley-Terry model, before the flip.
    public var probabilityA: Double
    /// Whether the sampled label was flipped by label noise.
    public var flipped: Bool
    /// Gold scores of A and B.
    public var goldA: GoldScore, goldB: GoldScore
    /// Utilities u = gold + length_bias × characters of A and B.
    public var utilityA: Double, utilityB: Double
    /// A human-readable account of the decision.
    public var reason: String
}

/// A noisy Bradley-Terry annotator over gold scores, with a length-bias and a label-flip knob.
///
/// For responses A and B: u = gold + length_bias × characters, P(A) = σ((u_A − u_B) / T),
/// the label is sampled from P(A) with the annotator's seeded stream, then flipped with
/// probability `label_flip_rate`. Every comparison draws exactly two numbers from the stream.
public struct Annotator: Sendable {
    /// The annotator's knobs.
    public let config: AnnotatorConfig
    /// The annotator's random stream.
    private var rng: SplitMix64

    /// Creates an annotator after validating `config`.
    /// - Throws: `WorldError.invalidConfig` for out-of-range knobs.
    public init(config: AnnotatorConfig = AnnotatorConfig()) throws {
        try config.validate()
        self.config = config
        rng = SplitMix64(seed: config.seed, stream: "annotator")
    }

    /// The annotator's utility of a scored response.
    public func utility(_ score: GoldScore, characters: Int) -> Double {
        score.value + config.lengthBias * Double(characters)
    }

    /// Labels A against B for `prompt`.
    /// - Throws: `WorldError.unparseablePrompt` for prompts outside the world.
    public mutating func compare(prompt: String, a: Candidate, b: Candidate) throws -> Judgement {
        compare(task: try WorldTask(parsing: prompt), a: a, b: b)
    }

    /// Labels A against B for a parsed task.
    public mutating func compare(task: WorldTask, a: Candidate, b: Candidate) -> Judgement {
        let goldA = GoldJudge.score(task: task, response: a.text, reachedEOS: a.reachedEOS)
        let goldB = GoldJudge.score(task: task, response: b.text, reachedEOS: b.reachedEOS)
        let uA = utility(goldA, characters: a.text.count)
        let uB = utility(goldB, characters: b.text.count)
        let p = Annotator.probability(uA - uB, temperature: config.temperature)
        let sampled = rng.unit() < p
        let flipped = rng.unit() < config.labelFlipRate
        let prefersA = sampled != flipped
        let reason = "A \(Annotator.describe(goldA, a)) vs B \(Annotator.describe(goldB, b)); "
            + "utility \(Annotator.fixed(uA)) vs \(Annotator.fixed(uB)) (length bias \(config.lengthBias)/char); "
            + "P(A)=\(Annotator.fixed(p)) at T=\(config.temperature); chose \(prefersA ? "A" : "B")"
            + (flipped ? " after a label flip (sampled \(sampled ? "A" : "B"))" : "")
        return Judgement(prefersA: prefersA, probabilityA: p, flipped: flipped, goldA: goldA, goldB: goldB,
                         utilityA: uA, utilityB: uB, reason: reason)
    }

    /// A fair coin from the annotator's stream, used to randomise A/B order.
    mutating func orderCoin() -> Bool {
        rng.chance(0.5)
    }

    /// σ(Δ / T), with T = 0 meaning a hard comparison (0.5 on ties).
    static func probability(_ delta: Double, temperature: Double) -> Double {
        if temperature == 0 { return delta > 0 ? 1 : (delta < 0 ? 0 : 0.5) }
        return 1 / (1 + exp(-delta / temperature))
    }

    /// "gold 0.72 (correct, 14 extra chars, 17 chars)" for a reason string.
    private static func describe(_ score: GoldScore, _ candidate: Candidate) -> String {
        var notes = [score.scenario == .safety ? (score.correct ? "refuses" : "complies")
                                               : (score.refused ? "refuses" : score.correct ? "correct"
                                                  : score.correctness > 0 ? "partly right" : "wrong")]
        if score.extraCharacters > 0 { notes.append("\(score.extraCharacters) extra chars") }
        if !candidate.reachedEOS { notes.append("no EOS") }
        return "gold \(fixed(score.value)) (\(notes.joined(separator: ", ")), \(candidate.text.count) chars)"
    }

    /// A number with two decimals.
    static func fixed(_ value: Double) -> String {
        String(format: "%.2f", value)
    }
}
