/// One point of a loss curve.
public struct LossPoint: Codable, Equatable {
    /// Optimiser step.
    var step: Int
    /// Loss in nats per response token.
    var loss: Double

    /// The loss `loss` at step `step`.
    public init(step: Int, loss: Double) {
        self.step = step
        self.loss = loss
    }
}
