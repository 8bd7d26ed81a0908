import Foundation

/// The AdamW update (Loshchilov & Hutter), decoupled weight decay, on one contiguous slice.
///
/// Elements are split over `Parallel.threadCount` threads.
public enum AdamWKernel {
    /// Elements per thread below which the loops stay on one thread.
    static let grain = 65_536

    /// Hyperparameters of one update.
    public struct Step {
        /// Learning rate.
        public var learningRate: Float
        /// First-moment decay β1.
        public var beta1: Float
        /// Second-moment decay β2.
        public var beta2: Float
        /// Denominator epsilon.
        public var eps: Float
        /// Decoupled weight decay (0 for norms and biases).
        public var weightDecay: Float
        /// 1-based step count for bias correction.
        public var t: Int

        /// Creates the hyperparameters of one update.
        public init(learningRate: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float, t: Int) {
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.weightDecay = weightDecay
            self.t = t
        }
    }

    /// Updates params, m, v (N) in place from grads (N).
    public static func update(
        params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>,
        m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, n: Int, step s: Step
    ) {
        let c1 = 1 - powf(s.beta1, Float(s.t))
        let c2 = 1 - powf(s.beta2, Float(s.t))
        Parallel.forEachRange(count: n, grain: grain) { range in
            for i in range {
                let g = grads[i]
                let mi = s.beta1 * m[i] + (1 - s.beta1) * g
                let vi = s.beta2 * v[i] + (1 - s.beta2) * g * g
                m[i] = mi
                v[i] = vi
                let update = (mi / c1) / ((vi / c2).squareRoot() + s.eps)
                params[i] -= s.learningRate * (update + s.weightDecay * params[i])
            }
        }
    }

    /// Σ x² over x (N), accumulated in Double per thread and added in range order.
    public static func sumOfSquares(_ x: UnsafePointer<Float>, n: Int) -> Double {
        Parallel.mapRanges(count: n, grain: grain) { range -> Double in
            var s: Double = 0
            for i in range { s += Double(x[i]) * Double(x[i]) }
            return s
        }.reduce(0, +)
    }

    /// x (N) *= factor.
    public static func scale(_ x: UnsafeMutablePointer<Float>, n: Int, by factor: Float) {
        Parallel.forEachRange(count: n, grain: grain) { range in
            for i in range { x[i] *= factor }
        }
    }
}
