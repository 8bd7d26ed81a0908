/// One human verdict on a given pair: `{"prompt","response_a","response_b","winner","reason"?}`.
public struct JudgeLabel: Equatable, Sendable {
    /// The prompt.
    public var prompt: String
    /// Response A.
    public var responseA: String
    /// Response B.
    public var responseB: String
    /// The verdict ("a", "b" or "tie", with the labeller's reason if given).
    var verdict: PairVerdict
}

/// A file of human verdicts as a judge: it answers for the pairs it holds (in either A/B order) and
/// for no others.
struct LabelsJudge: PairJudge {
    /// "labels".
    let name = "labels"
    /// The verdict of each labelled (prompt, A, B).
    private let table: [String: PairVerdict]
    /// The labels as read.
    let labels: [JudgeLabel]

    /// A judge answering from `labels` (a later label of the same pair wins).
    init(labels: [JudgeLabel]) {
        self.labels = labels
        var table: [String: PairVerdict] = [:]
        for label in labels { table[Self.key(label.prompt, label.responseA, label.responseB)] = label.verdict }
        self.table = table
    }

    /// The labelled verdict of each pair, swapped back when the label has A and B the other way round.
    func judge(_ pairs: [JudgePair]) throws -> [PairVerdict?] {
        pairs.map { pair in
            if let verdict = table[Self.key(pair.prompt, pair.a.text, pair.b.text)] { return verdict }
            guard var verdict = table[Self.key(pair.prompt, pair.b.text, pair.a.text)] else { return nil }
            verdict.winner = verdict.winner.swapped
            return verdict
        }
    }

    /// The lookup key of a pair.
    private static func key(_ prompt: String, _ a: String, _ b: String) -> String {
        [prompt, a, b].joined(separator: "\u{1F}")
    }
}
