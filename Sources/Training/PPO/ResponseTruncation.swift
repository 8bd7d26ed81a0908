/// A sampled response cut at its first EOS, with the score penalty for a missing EOS.
struct TruncatedResponse: Equatable, Sendable {
    /// Tokens up to and including the first EOS (all tokens when there is none).
    var tokens: [Int32]
    /// Whether an EOS token ends `tokens`.
    var hasEOS: Bool

    /// Truncates `tokens` after the first `eos`.
    init(tokens: [Int32], eos: Int32) {
        if let end = tokens.firstIndex(of: eos) {
            self.tokens = Array(tokens[...end])
            hasEOS = true
        } else {
            self.tokens = tokens
            hasEOS = false
        }
    }

    /// The text tokens (without the final EOS).
    var textTokens: [Int32] { hasEOS ? Array(tokens.dropLast()) : tokens }

    /// `score` plus `missingEOSPenalty` (usually negative) when the response never reached EOS.
    func penalised(score: Double, missingEOSPenalty: Double) -> Double {
        hasEOS ? score : score + missingEOSPenalty
    }
}
