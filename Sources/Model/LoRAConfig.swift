/// The shape of a LoRA adapter: rank, alpha and which projections of every block it adapts.
public struct LoRAConfig: Equatable, Sendable {
    /// Rank r of each low-rank update (A is (r,in), B is (out,r)).
    public var rank: Int
    /// Scaling numerator: the update is (alpha/r)·B·A (or alpha/√r with `useRSLoRA`).
    public var alpha: Float
    /// Adapted projections, in canonical order (q, k, v, o, gate, up, down).
    public var targets: [LoRATarget]
    /// Dropout on the adapter input during training in PEFT; recorded for the config file only (we train without it).
    public var dropout: Float
    /// rsLoRA scaling alpha/√r instead of alpha/r.
    public var useRSLoRA: Bool

    /// Creates a config; targets are deduplicated and put in canonical order.
    public init(rank: Int, alpha: Float, targets: [LoRATarget] = LoRATarget.allCases, dropout: Float = 0,
                useRSLoRA: Bool = false) {
        self.rank = rank
        self.alpha = alpha
        self.targets = LoRATarget.allCases.filter(Set(targets).contains)
        self.dropout = dropout
        self.useRSLoRA = useRSLoRA
    }

    /// The factor in front of B·A.
    public var scale: Float { useRSLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank) }

    /// Throws `invalidConfig` naming the field when the rank, alpha or targets cannot make an adapter.
    public func validate() throws {
        guard rank >= 1 else { throw ModelError.invalidConfig(field: "r", reason: "is \(rank); the LoRA rank must be at least 1") }
        guard alpha.isFinite else { throw ModelError.invalidConfig(field: "lora_alpha", reason: "must be a finite number") }
        guard !targets.isEmpty else {
            throw ModelError.invalidConfig(field: "target_modules", reason: "is empty; name at least one of "
                + LoRATarget.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }
}
