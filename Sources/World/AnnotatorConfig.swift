/// Knobs of the noisy Bradley-Terry annotator; Codable with snake_case keys and defaults.
public struct AnnotatorConfig: Codable, Equatable, Sendable {
    /// Seed of the annotator's own random stream.
    public var seed: UInt64 = 1
    /// Noise temperature T in P(A) = σ((u_A − u_B) / T); 0 means always pick the higher utility.
    public var temperature: Double = 0.1
    /// Utility added per character of a response (the length-bias knob); 0 is unbiased.
    public var lengthBias: Double = 0
    /// Probability that a sampled label is flipped afterwards.
    public var labelFlipRate: Double = 0.05

    /// The default annotator.
    public init() {}

    /// JSON keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case seed, temperature
        case lengthBias = "length_bias"
        case labelFlipRate = "label_flip_rate"
    }

    /// Decodes with defaults for absent keys; unknown keys and out-of-range values are errors.
    public init(from decoder: Decoder) throws {
        try ConfigKeys.rejectUnknown(decoder, known: CodingKeys.allCases.map(\.rawValue), in: "annotator config")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature) ?? temperature
        lengthBias = try c.decodeIfPresent(Double.self, forKey: .lengthBias) ?? lengthBias
        labelFlipRate = try c.decodeIfPresent(Double.self, forKey: .labelFlipRate) ?? labelFlipRate
        try validate()
    }

    /// Checks ranges.
    /// - Throws: `WorldError.invalidConfig` naming the bad field.
    public func validate() throws {
        guard temperature >= 0, temperature.isFinite else {
            throw WorldError.invalidConfig(field: "temperature", message: "must be ≥ 0, got \(temperature)")
        }
        guard lengthBias.isFinite else {
            throw WorldError.invalidConfig(field: "length_bias", message: "must be finite, got \(lengthBias)")
        }
        guard labelFlipRate >= 0, labelFlipRate <= 1 else {
            throw WorldError.invalidConfig(field: "label_flip_rate", message: "must be in [0, 1], got \(labelFlipRate)")
        }
    }
}
