/// One line of `ppo_train_metrics.jsonl`: an iteration's metrics (no `type` key, as every ppo version wrote them) or a
/// held-out evaluation (`"type": "heldout"`). Readers of iteration lines decode this and skip what is not theirs.
public enum PPOMetricsFileLine: Codable, Equatable, Sendable {
    /// An iteration's metrics.
    case iteration(PPOMetricsLine)
    /// A held-out evaluation.
    case heldout(PPOHeldoutMetrics)

    /// Reads either kind by the `type` key; an unknown `type` is a decoding error naming it.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: PPOMetricsLine.NameKey.self)
        let typeKey = PPOMetricsLine.NameKey("type")
        guard container.contains(typeKey) else {
            self = .iteration(try PPOMetricsLine(from: decoder))
            return
        }
        let type = try container.decode(String.self, forKey: typeKey)
        guard type == PPOHeldoutMetrics.lineType else {
            throw DecodingError.dataCorruptedError(forKey: typeKey, in: container,
                                                   debugDescription: "unknown line type \"\(type)\"; expected none (an iteration) or \"\(PPOHeldoutMetrics.lineType)\"")
        }
        self = .heldout(try PPOHeldoutMetrics(from: decoder))
    }

    /// Writes the line as its kind writes it.
    public func encode(to encoder: Encoder) throws {
        switch self {
        case .iteration(let line): try line.encode(to: encoder)
        case .heldout(let metrics): try metrics.encode(to: encoder)
        }
    }

    /// The iteration metrics, nil for a held-out line.
    public var iteration: PPOIterationMetrics? {
        if case .iteration(let line) = self { return line.metrics }
        return nil
    }

    /// The held-out evaluation, nil for an iteration line.
    public var heldout: PPOHeldoutMetrics? {
        if case .heldout(let metrics) = self { return metrics }
        return nil
    }

    /// The lines of a run in the order things happened: the held-out evaluation after k iterations comes before
    /// iteration k's line (both sample the policy after k updates), the last one after every iteration line.
    public static func ordered(history: [PPOIterationMetrics], heldout: [PPOHeldoutMetrics]) -> [PPOMetricsFileLine] {
        var lines: [PPOMetricsFileLine] = []
        var pending = heldout[...]
        for metrics in history {
            while let next = pending.first, next.iteration <= metrics.iteration {
                lines.append(.heldout(next))
                pending = pending.dropFirst()
            }
            lines.append(.iteration(PPOMetricsLine(metrics)))
        }
        return lines + pending.map(PPOMetricsFileLine.heldout)
    }
}
