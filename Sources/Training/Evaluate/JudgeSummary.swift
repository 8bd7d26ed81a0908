/// What one judge wired to an evaluation did: how many pairs it judged, its position bias and every reason.
public struct JudgeSummary: Codable, Equatable, Sendable {
    /// The judge ("world", "reward_model", "command", "labels").
    public var judge: String
    /// Pairs it gave a verdict on.
    public var pairs: Int
    /// Fraction of verdicts that changed when A and B were swapped (pairwise command judges only).
    public var positionBias: Double?
    /// Pairs shown in both orders to measure the position bias.
    public var positionChecks: Int?
    /// Every presentation with the judge's verdict and reason (command judges only).
    public var verdicts: [JudgeVerdictLog]?

    /// A summary of `judge`.
    public init(judge: String, pairs: Int, positionBias: Double? = nil, positionChecks: Int? = nil, verdicts: [JudgeVerdictLog]? = nil) {
        self.judge = judge
        self.pairs = pairs
        self.positionBias = positionBias
        self.positionChecks = positionChecks
        self.verdicts = verdicts
    }

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case judge, pairs, verdicts
        case positionBias = "position_bias"
        case positionChecks = "position_checks"
    }
}

/// One presentation of a pair to a pairwise judge, with the judge's answer and reason.
public struct JudgeVerdictLog: Codable, Equatable, Sendable {
    /// The id the judge saw.
    public var id: String
    /// The pair's own id.
    public var pair: String
    /// Whether A and B were swapped in this presentation.
    public var swapped: Bool
    /// "a", "b" or "tie", in the order the judge saw.
    public var winner: String
    /// The judge's reason, if it gave one.
    public var reason: String?

    /// A logged presentation.
    public init(id: String, pair: String, swapped: Bool, winner: String, reason: String?) {
        self.id = id
        self.pair = pair
        self.swapped = swapped
        self.winner = winner
        self.reason = reason
    }
}

/// How often two judges prefer the same response, over the pairs both decide (neither says tie).
public struct JudgeAgreement: Codable, Equatable, Sendable {
    /// One judge.
    public var a: String
    /// The other judge.
    public var b: String
    /// Fraction of the decided pairs on which they agree (nil when they decide no pair in common).
    public var agreement: Double?
    /// Pairs both judges decided.
    public var pairs: Int

    /// The agreement of `a` and `b` over `pairs` pairs.
    public init(a: String, b: String, agreement: Double?, pairs: Int) {
        self.a = a
        self.b = b
        self.agreement = agreement
        self.pairs = pairs
    }
}
