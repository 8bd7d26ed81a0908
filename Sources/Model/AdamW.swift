import Kernels

/// AdamW with decoupled weight decay (none on norms), global-norm clipping and a finite-gradient check.
///
/// The two moment buffers are each one contiguous buffer in the model's parameter layout.
public final class AdamW {
    /// Hyperparameters.
    public struct Options: Codable, Equatable, Sendable {
        /// β1.
        public var beta1: Float = 0.9
        /// β2.
        public var beta2: Float = 0.95
        /// Denominator ε.
        public var eps: Float = 1e-8
        /// Decoupled weight decay on matrices.
        public var weightDecay: Float = 0.1
        /// Clip the global gradient norm to this (nil: no clipping).
        public var maxGradNorm: Float? = 1.0

        /// Creates options; defaults follow common LLaMA practice.
        public init(beta1: Float = 0.9, beta2: Float = 0.95, eps: Float = 1e-8, weightDecay: Float = 0.1,
                    maxGradNorm: Float? = 1.0) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.weightDecay = weightDecay
            self.maxGradNorm = maxGradNorm
        }
    }

    /// Hyperparameters in use.
    public let options: Options
    /// First moments (parameter layout).
    public let m: FloatBuffer
    /// Second moments (parameter layout).
    public let v: FloatBuffer
    /// Optimizer steps taken.
    public private(set) var step = 0

    /// Creates zeroed moments for `model`.
    public init(model: LlamaModel, options: Options = Options()) {
        self.options = options
        m = FloatBuffer(count: model.parameterCount)
        v = FloatBuffer(count: model.parameterCount)
    }

    /// Global L2 norm of the trainable gradients.
    public static func gradientNorm(of model: LlamaModel) -> Double {
        var s: Double = 0
        for (i, slice) in model.layout.slices.enumerated() where model.trainable[i] {
            s += AdamWKernel.sumOfSquares(model.gradients.pointer + slice.offset, n: slice.count)
        }
        return s.squareRoot()
    }

    /// Clips, checks and applies the accumulated gradients at `learningRate`, then zeroes them.
    ///
    /// The clip factor, the update and the zeroing are one pass per slice (`AdamWKernel.update`).
    ///
    /// Returns the pre-clip gradient norm. Throws `nonFiniteGradient` (parameters untouched) when it is NaN/∞.
    @discardableResult
    public func update(_ model: LlamaModel, learningRate: Float) throws -> Double {
        let norm = Self.gradientNorm(of: model)
        guard norm.isFinite else { throw ModelError.nonFiniteGradient(norm: norm) }
        var factor: Float = 1
        if let maxNorm = options.maxGradNorm, norm > Double(maxNorm) { factor = Float(Double(maxNorm) / (norm + 1e-6)) }
        step += 1
        for (i, s) in model.layout.slices.enumerated() {
            guard model.trainable[i] else {
                (model.gradients.pointer + s.offset).update(repeating: 0, count: s.count)
                continue
            }
            let hp = AdamWKernel.Step(learningRate: learningRate, beta1: options.beta1, beta2: options.beta2,
                                      eps: options.eps, weightDecay: s.decays ? options.weightDecay : 0, t: step,
                                      gradientScale: factor)
            AdamWKernel.update(params: model.parameters.pointer + s.offset, grads: model.gradients.pointer + s.offset,
                               m: m.pointer + s.offset, v: v.pointer + s.offset, n: s.count, step: hp)
        }
        return norm
    }
}
