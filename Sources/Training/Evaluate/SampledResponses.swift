/// Responses of one model to every eval prompt (`ResponseJudge.sample`), prompt-major with one prompt's adjacent, kept
/// with their tokens so the KL estimate can score them again instead of sampling anew.
public struct SampledResponses: Sendable {
    /// The responses, cut at EOS.
    let responses: [TruncatedResponse]
    /// Their sampling temperature (0: greedy).
    let temperature: Double
    /// Responses per prompt.
    let perPrompt: Int

    /// The first `count` responses of each prompt, prompt-major, when these were sampled at `temperature` with at
    /// least `count` per prompt; nil otherwise.
    func firstResponses(_ count: Int, atTemperature temperature: Double) -> [[Int32]]? {
        guard self.temperature == temperature, count <= perPrompt, perPrompt > 0 else { return nil }
        return stride(from: 0, to: responses.count, by: perPrompt).flatMap { start in
            responses[start..<min(start + count, responses.count)].map(\.tokens)
        }
    }
}
