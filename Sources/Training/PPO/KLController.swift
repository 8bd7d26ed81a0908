/// The KL coefficient β: fixed, or adapted toward a target KL by a proportional controller
/// (Ziegler et al. 2019): β ← β·(1 + clip(KL/target − 1, ±0.2)·n/horizon).
struct KLController: Codable, Equatable, Sendable {
    /// The current β.
    private(set) var beta: Double
    /// The target KL per sequence, or nil for a fixed β.
    let target: Double?
    /// Horizon in sequences: how fast β adapts.
    let horizon: Double

    /// A fixed coefficient.
    static func fixed(_ beta: Double) -> KLController {
        KLController(beta: beta, target: nil, horizon: 1)
    }

    /// An adaptive coefficient starting at `beta`.
    static func adaptive(initial beta: Double, target: Double, horizon: Double) -> KLController {
        KLController(beta: beta, target: target, horizon: horizon)
    }

    /// Updates β after a batch of `sequences` whose mean summed KL was `observedKL`.
    mutating func update(observedKL: Double, sequences: Int) {
        guard let target, target > 0 else { return }
        let error = min(max(observedKL / target - 1, -0.2), 0.2)
        beta *= 1 + error * Double(sequences) / horizon
    }
}
