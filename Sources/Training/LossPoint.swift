/// One point of a loss curve.
public struct LossPoint: Codable, Equatable {
    /// Optimiser step.
    public var step: Int
    /// Loss in nats per response token.
    public var loss: Double

    /// The loss `loss` at step `step`.
    public init(step: Int, loss: Double) {
        self.step = step
        self.loss = loss
    }
}
