/// Format adherence of a set of responses, judged without any world: ends at EOS, no role markers.
public struct FormatReport: Codable, Equatable, Sendable {
    /// Number of responses.
    public var count: Int
    /// Fraction that end at EOS and contain no role marker.
    public var formatAdherence: Double
    /// Fraction that reached EOS.
    public var eosRate: Double
    /// Fraction containing role-marker text such as `<|user|>` or a "User:" line.
    public var roleMarkerRate: Double
    /// Mean response length in characters.
    public var meanLength: Double

    /// Measures `completions` (0 everywhere when there are none).
    public init(_ completions: [Completion]) {
        let n = Double(max(completions.count, 1))
        let markers = completions.map { GoldReport.hasRoleMarker($0.text) }
        count = completions.count
        eosRate = Double(completions.filter(\.reachedEOS).count) / n
        roleMarkerRate = Double(markers.filter { $0 }.count) / n
        formatAdherence = Double(zip(completions, markers).filter { $0.0.reachedEOS && !$0.1 }.count) / n
        meanLength = completions.reduce(0) { $0 + Double($1.text.count) } / n
    }

    /// JSON keys (snake_case).
    enum CodingKeys: String, CodingKey {
        case count
        case formatAdherence = "format_adherence"
        case eosRate = "eos_rate"
        case roleMarkerRate = "role_marker_rate"
        case meanLength = "mean_length"
    }
}
