/// How the k candidates of one prompt become preference pairs.
public enum PairMode: String, Codable, CaseIterable, Sendable {
    /// All k·(k−1)/2 pairs.
    case allPairs = "all_pairs"
    /// The highest-utility candidate against each of the other k−1.
    case bestVsRest = "best_vs_rest"
}

extension Annotator {
    /// The candidates with their gold scores and utilities, best utility first (ties keep input order).
    public func ranked(task: WorldTask, candidates: [Candidate])
        -> [(candidate: Candidate, gold: GoldScore, utility: Double)] {
        candidates.enumerated().map { entry in
            let gold = GoldJudge.score(task: task, response: entry.element.text, reachedEOS: entry.element.reachedEOS)
            return (entry.offset, entry.element, gold, utility(gold, characters: entry.element.text.count))
        }
        .sorted { $0.3 != $1.3 ? $0.3 > $1.3 : $0.0 < $1.0 }
        .map { (candidate: $0.1, gold: $0.2, utility: $0.3) }
    }

    /// Ranks `candidates` by utility and emits labelled pairs per `mode`.
    ///
    /// Duplicate texts are dropped first (a pair of equal texts teaches nothing), ranking is by
    /// utility (ties keep input order), each pair is shown in a random A/B order, and the label
    /// and reason of each comparison are recorded; `source` is "annotator".
    /// - Throws: `WorldError.unparseablePrompt` for prompts outside the world.
    public mutating func preferencePairs(prompt: String, candidates: [Candidate],
                                         mode: PairMode) throws -> [PreferenceRecord] {
        let task = try WorldTask(parsing: prompt)
        var seen = Set<String>()
        let ranked = ranked(task: task, candidates: candidates.filter { seen.insert($0.text).inserted })
            .map(\.candidate)
        var pairs: [(Candidate, Candidate)] = []
        switch mode {
        case .allPairs:
            for i in ranked.indices { for j in ranked.indices where j > i { pairs.append((ranked[i], ranked[j])) } }
        case .bestVsRest:
            for j in ranked.indices.dropFirst() { pairs.append((ranked[0], ranked[j])) }
        }
        return pairs.map { pair in
            let swap = orderCoin()
            let (a, b) = swap ? (pair.1, pair.0) : (pair.0, pair.1)
            let judgement = compare(task: task, a: a, b: b)
            return PreferenceRecord(prompt: prompt, chosen: judgement.prefersA ? a.text : b.text,
                                    rejected: judgement.prefersA ? b.text : a.text,
                                    reason: judgement.reason, source: "annotator")
        }
    }
}

extension World {
    /// A synthetic preference set with no policy model: for each preference prompt, `k`
    /// candidates from `candidateResponses`, labelled by `annotator` into pairs per `mode`.
    public func syntheticPreferences(annotator: inout Annotator, candidatesPerPrompt k: Int,
                                     mode: PairMode) throws -> [PreferenceRecord] {
        var records: [PreferenceRecord] = []
        for prompt in try preferencePrompts() {
            let candidates = try candidateResponses(for: prompt.prompt, count: k).map { Candidate($0) }
            records += try annotator.preferencePairs(prompt: prompt.prompt, candidates: candidates, mode: mode)
        }
        return records
    }
}
