import TextSimilarity
import Training
import World

/// Turns k candidate responses per prompt into labelled preference pairs with the World annotator.
///
/// Candidates are deduplicated (ignoring surrounding whitespace, as `gate.dedup` does), blank ones and those with control characters (sampling junk that
/// `gate.schema` rejects in a preference file) are dropped, and the rest are ranked by the annotator's utility (gold + length bias); pairs
/// are all k·(k−1)/2 or best-vs-rest. Each pair is shown to the annotator in a random A/B order
/// and its label and reason are recorded. With `skipTies`, pairs whose utilities differ by at most
/// `tieThreshold` are dropped: the annotator marks them "about the same", as a human rater would.
/// With a `contrast` share, that share of prompts also gets one contrast pair: the best correct candidate
/// against the same text with its answer replaced by a near miss of the same shape (`WorldTask.contrast`),
/// so the reward model sees wrong counts and words that are not shorter or plainer than right ones.
struct PreferencePairing {
    /// The annotator (its own seeded stream draws the labels).
    var annotator: Annotator
    /// all_pairs or best_vs_rest.
    var mode: PairMode
    /// Drop pairs within `tieThreshold` utility of each other.
    var skipTies: Bool
    /// The largest utility difference still counted as a tie.
    var tieThreshold: Double
    /// The A/B order coin.
    var coin: SplitMix64
    /// Share of prompts that also get a contrast pair (0: none, and no draw from `contrastStream`).
    var contrast: Double = 0
    /// Draws for contrast pairs (whether, which near miss, A/B order), apart from `coin` so sampled pairs stay as they were.
    var contrastStream = SplitMix64(seed: 0, stream: "preference-contrast")

    /// Labelled pairs for one prompt.
    mutating func pairs(prompt: String, candidates: [Completion]) throws -> [PreferenceRecord] {
        let unique = Self.distinct(candidates)
        let ranked = try unique.enumerated().map { index, completion -> (index: Int, completion: Completion, utility: Double) in
            let gold = try GoldJudge.score(prompt: prompt, response: completion.text, reachedEOS: completion.reachedEOS)
            return (index, completion, annotator.utility(gold, characters: completion.text.count))
        }.sorted { $0.utility != $1.utility ? $0.utility > $1.utility : $0.index < $1.index }
        var records = try sampledPairs(prompt: prompt, ranked: ranked)
        if contrast > 0, contrastStream.chance(contrast), let pair = try contrastPair(prompt: prompt, ranked: ranked.map(\.completion)) {
            records.append(pair)
        }
        return records
    }

    /// Labelled pairs among the ranked candidates of one prompt, per `mode`.
    private mutating func sampledPairs(prompt: String, ranked: [(index: Int, completion: Completion, utility: Double)]) throws
        -> [PreferenceRecord] {
        var pairs: [(Int, Int)] = []
        switch mode {
        case .allPairs:
            for i in ranked.indices { for j in ranked.indices where j > i { pairs.append((i, j)) } }
        case .bestVsRest:
            for j in ranked.indices.dropFirst() { pairs.append((0, j)) }
        }
        var records: [PreferenceRecord] = []
        for (i, j) in pairs where !(skipTies && abs(ranked[i].utility - ranked[j].utility) <= tieThreshold) {
            let swap = coin.chance(0.5)
            let a = ranked[swap ? j : i].completion, b = ranked[swap ? i : j].completion
            let judgement = try annotator.compare(prompt: prompt, a: Candidate(a.text, reachedEOS: a.reachedEOS),
                                                  b: Candidate(b.text, reachedEOS: b.reachedEOS))
            records.append(PreferenceRecord(prompt: prompt, chosen: judgement.prefersA ? a.text : b.text,
                                            rejected: judgement.prefersA ? b.text : a.text, reason: judgement.reason,
                                            source: "annotator; A=T\(a.temperature) B=T\(b.temperature)"))
        }
        return records
    }

    /// The first (best-ranked) candidate with a contrast, against that contrast, labelled by the annotator in a random
    /// A/B order; nil when no candidate is correct, the pair would be a tie, or the near miss normalises equal to a
    /// sampled candidate (the pair could then repeat a sampled one).
    private mutating func contrastPair(prompt: String, ranked: [Completion]) throws -> PreferenceRecord? {
        let task = try WorldTask(parsing: prompt)
        let sampled = Set(ranked.map { TextNormalization.key($0.text) })
        for completion in ranked {
            guard let nearMiss = task.contrast(of: completion.text, reachedEOS: completion.reachedEOS, using: &contrastStream) else { continue }
            guard !sampled.contains(TextNormalization.key(nearMiss)) else { return nil }
            let right = Candidate(completion.text, reachedEOS: completion.reachedEOS), wrong = Candidate(nearMiss, reachedEOS: completion.reachedEOS)
            let utilities = [right, wrong].map {
                annotator.utility(GoldJudge.score(task: task, response: $0.text, reachedEOS: $0.reachedEOS), characters: $0.text.count)
            }
            guard !(skipTies && abs(utilities[0] - utilities[1]) <= tieThreshold) else { return nil }
            let (a, b) = contrastStream.chance(0.5) ? (wrong, right) : (right, wrong)
            let judgement = annotator.compare(task: task, a: a, b: b)
            return PreferenceRecord(prompt: prompt, chosen: judgement.prefersA ? a.text : b.text, rejected: judgement.prefersA ? b.text : a.text,
                                    reason: judgement.reason, source: "annotator; contrast of a T\(completion.temperature) sample")
        }
        return nil
    }

    /// The candidates a pair may hold, first occurrence kept: not blank, no control characters (sampling junk
    /// `gate.schema` rejects), and distinct by `DedupGate.responseKey`, so that no pair's chosen equals its
    /// rejected in `gate.dedup`'s eyes (texts differing only in surrounding whitespace are the same response).
    static func distinct(_ candidates: [Completion]) -> [Completion] {
        var seen = Set<String>()
        return candidates.filter {
            !SchemaGate.isBlank($0.text) && SchemaGate.firstControlCharacter($0.text) == nil
                && seen.insert(DedupGate.responseKey($0.text)).inserted
        }
    }
}
