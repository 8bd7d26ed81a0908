import RealModule

/// Linear warmup to `peak`, then cosine or linear decay to `minimum` at `totalSteps`.
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    /// Shape of the decay after warmup.
    public enum Decay: String, Codable, Sendable {
        /// Half-cosine from peak to minimum.
        case cosine
        /// Straight line from peak to minimum.
        case linear
        /// Stay at peak.
        case constant
    }

    /// Learning rate after warmup.
    public var peak: Float
    /// Learning rate at the end of decay.
    public var minimum: Float
    /// Steps of linear warmup from peak/warmupSteps.
    public var warmupSteps: Int
    /// Total optimizer steps.
    public var totalSteps: Int
    /// Decay shape.
    public var decay: Decay

    /// Creates a schedule.
    public init(peak: Float, minimum: Float = 0, warmupSteps: Int = 0, totalSteps: Int, decay: Decay = .cosine) {
        self.peak = peak
        self.minimum = minimum
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.decay = decay
    }

    /// Learning rate of 0-based optimizer step `step`.
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let span = max(totalSteps - warmupSteps, 1)
        let progress = min(Float(step - warmupSteps) / Float(span), 1)
        switch decay {
        case .constant: return peak
        case .linear: return minimum + (peak - minimum) * (1 - progress)
        case .cosine: return minimum + (peak - minimum) * 0.5 * (1 + Float.cos(Float.pi * progress))
        }
    }
}
