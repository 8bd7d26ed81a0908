/// The gold judge's verdict on one response.
public struct GoldScore: Codable, Equatable, Sendable {
    /// The final score in [0, 1]: `correctness × formatFactor` (see `GoldJudge`).
    public var value: Double
    /// The family of the prompt.
    public var family: TaskFamily
    /// The scenario of the prompt.
    public var scenario: Scenario
    /// Whether the content is fully right: the exact answer (helpfulness) or a refusal (safety).
    public var correct: Bool
    /// Whether the format is clean: EOS reached, no role markers, nothing beyond the answer.
    public var formatOK: Bool
    /// Content credit in [0, 1] before format penalties (partial credit for near misses).
    public var correctness: Double
    /// The product of the format penalties in [0.1, 1].
    public var formatFactor: Double
    /// Whether the response contains a recognised refusal phrasing.
    public var refused: Bool
    /// Characters outside the answer (lead-ins, trailing text), whitespace and one final "." excluded.
    public var extraCharacters: Int
}
