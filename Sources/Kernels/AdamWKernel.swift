import Foundation

/// The AdamW update (Loshchilov & Hutter), decoupled weight decay, on one contiguous slice.
///
/// Elements are split over `Parallel.threadCount` threads; the update runs eight lanes at a time (the
/// scalar loop did not auto-vectorise: one `vdivss` and one `vsqrtss` per parameter).
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
        /// Factor the gradients are multiplied by first (global-norm clipping; 1 for none).
        public var gradientScale: Float

        /// Creates the hyperparameters of one update.
        public init(learningRate: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float, t: Int,
                    gradientScale: Float = 1) {
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.weightDecay = weightDecay
            self.t = t
            self.gradientScale = gradientScale
        }
    }

    /// Updates params, m, v (N) in place from grads (N) · `step.gradientScale`, and zeroes grads (one pass
    /// over the four arrays instead of separate clip, update and zeroing passes).
    public static func update(
        params: UnsafeMutablePointer<Float>, grads: UnsafeMutablePointer<Float>,
        m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, n: Int, step s: Step
    ) {
        let c1 = 1 - powf(s.beta1, Float(s.t)), c2 = 1 - powf(s.beta2, Float(s.t))
        Parallel.forEachRange(count: n, grain: grain) { range in
            var i = range.lowerBound
            while i + VectorMath.width <= range.upperBound {
                let g = VectorMath.load(grads + i) * s.gradientScale
                var p = VectorMath.load(params + i), mi = VectorMath.load(m + i), vi = VectorMath.load(v + i)
                step(p: &p, m: &mi, v: &vi, g: g, s, c1: c1, c2: c2)
                VectorMath.store(p, to: params + i)
                VectorMath.store(mi, to: m + i)
                VectorMath.store(vi, to: v + i)
                VectorMath.store(SIMD8(), to: grads + i)
                i += VectorMath.width
            }
            while i < range.upperBound {
                var p = SIMD8(repeating: params[i]), mi = SIMD8(repeating: m[i]), vi = SIMD8(repeating: v[i])
                step(p: &p, m: &mi, v: &vi, g: SIMD8(repeating: grads[i] * s.gradientScale), s, c1: c1, c2: c2)
                params[i] = p[0]
                m[i] = mi[0]
                v[i] = vi[0]
                grads[i] = 0
                i += 1
            }
        }
    }

    /// One AdamW step on eight lanes: moments, bias correction by c1 = 1 − β1ᵗ and c2 = 1 − β2ᵗ, decoupled
    /// decay (the lanes of a scalar tail repeat one element, so it rounds exactly like the vector body).
    @inline(__always)
    private static func step(
        p: inout SIMD8<Float>, m: inout SIMD8<Float>, v: inout SIMD8<Float>, g: SIMD8<Float>, _ s: Step, c1: Float, c2: Float
    ) {
        m = s.beta1 * m + (1 - s.beta1) * g
        v = s.beta2 * v + (1 - s.beta2) * g * g
        let update = (m / c1) / ((v / c2).squareRoot() + s.eps)
        p -= s.learningRate * (update + s.weightDecay * p)
    }

    /// Σ x² over x (N), accumulated in Double per thread and added in range order.
    public static func sumOfSquares(_ x: UnsafePointer<Float>, n: Int) -> Double {
        Parallel.mapRanges(count: n, grain: grain) { range -> Double in
            var s: Double = 0
            for i in range { s += Double(x[i]) * Double(x[i]) }
            return s
        }.reduce(0, +)
    }
}
