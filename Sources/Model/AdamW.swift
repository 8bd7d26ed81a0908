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
    /// First moments of the trainable tensors, packed in `entries` order (base slices, then adapter slices).
    public let m: FloatBuffer
    /// Second moments, same packing as `m`.
    public let v: FloatBuffer
    /// Optimizer steps taken.
    public private(set) var step = 0
    /// Sum and count of the pre-clip gradient norms since `takeMeanGradientNorm()` last read them.
    private var normLog = (sum: 0.0, count: 0)
    /// The tensors this optimiser updates, each with its offset in `m` and `v`.
    private let entries: [Entry]

    /// One updated tensor: a base slice (by index in the model's layout) or an adapter slice.
    private struct Entry {
        /// Where the tensor lives.
        enum Owner { case base, adapter }
        let owner: Owner
        let slice: ParameterSlice
        /// Offset of its moments in `m` and `v`.
        let state: Int
    }

    /// Creates zeroed moments for the tensors of `model` that train now: its trainable base slices and, if
    /// attached and trainable, its adapter. Frozen tensors get no state.
    public init(model: LlamaModel, options: Options = Options()) {
        self.options = options
        var entries: [Entry] = []
        var offset = 0
        for (i, s) in model.layout.slices.enumerated() where model.trainable[i] {
            entries.append(Entry(owner: .base, slice: s, state: offset))
            offset += s.count
        }
        if let lora = model.adapter, lora.isTrainable {
            for s in lora.layout.slices {
                entries.append(Entry(owner: .adapter, slice: s, state: offset))
                offset += s.count
            }
        }
        self.entries = entries
        m = FloatBuffer(count: offset)
        v = FloatBuffer(count: offset)
    }

    /// Number of floats in each moment buffer (the trainable parameter count when created).
    public var stateCount: Int { m.count }

    /// The mean pre-clip gradient norm of the updates since the last call (nil when there was none), and a fresh start.
    public func takeMeanGradientNorm() -> Double? {
        defer { normLog = (0, 0) }
        return normLog.count > 0 ? normLog.sum / Double(normLog.count) : nil
    }

    /// Sets the step count of an optimiser whose moments a resumed run restores into `m` and `v` (the bias
    /// corrections continue from there), and forgets the gradient norms logged so far.
    public func resume(atStep step: Int) {
        self.step = step
        normLog = (0, 0)
    }

    /// Global L2 norm of the trainable gradients (base slices and a trainable adapter); zero for gradients never
    /// allocated.
    public static func gradientNorm(of model: LlamaModel) -> Double {
        var s: Double = 0
        if let grads = model.gradientStorage {
            for (slice, offset) in zip(model.layout.slices, model.gradientLayout.offsets) {
                guard let offset else { continue }
                s += AdamWKernel.sumOfSquares(grads.pointer + offset, n: slice.count)
            }
        }
        if let lora = model.adapter, lora.isTrainable, let grads = lora.gradientStorage {
            s += AdamWKernel.sumOfSquares(grads.pointer, n: lora.parameterCount)
        }
        return s.squareRoot()
    }

    /// Clips, checks and applies the accumulated gradients at `learningRate`, then zeroes them.
    ///
    /// The clip factor, the update and the zeroing are one pass per tensor (`AdamWKernel.update`); only the
    /// tensors that had state at creation and still train move (a tensor frozen since keeps its moments). Returns
    /// the pre-clip gradient norm. Throws `nonFiniteGradient` (parameters untouched) when it is NaN/∞, and
    /// `invalidState` when a tensor became trainable after the optimiser was made.
    @discardableResult
    public func update(_ model: LlamaModel, learningRate: Float) throws -> Double {
        try checkCoverage(model)
        let norm = Self.gradientNorm(of: model)
        guard norm.isFinite else { throw ModelError.nonFiniteGradient(norm: norm) }
        normLog = (normLog.sum + norm, normLog.count + 1)
        var factor: Float = 1
        if let maxNorm = options.maxGradNorm, norm > Double(maxNorm) { factor = Float(Double(maxNorm) / (norm + 1e-6)) }
        step += 1
        for e in entries {
            let params: UnsafeMutablePointer<Float>, grads: UnsafeMutablePointer<Float>
            switch e.owner {
            case .base:
                guard let g = model.gradPointer(e.slice.offset) else { continue }
                (params, grads) = (model.parameters.pointer + e.slice.offset, g)
            case .adapter:
                guard let lora = model.adapter, lora.isTrainable else { continue }
                (params, grads) = (lora.parameters.pointer + e.slice.offset, lora.gradients.pointer + e.slice.offset)
            }
            let hp = AdamWKernel.Step(learningRate: learningRate, beta1: options.beta1, beta2: options.beta2,
                                      eps: options.eps, weightDecay: e.slice.decays ? options.weightDecay : 0, t: step,
                                      gradientScale: factor)
            AdamWKernel.update(params: params, grads: grads, m: m.pointer + e.state, v: v.pointer + e.state, n: e.slice.count,
                               step: hp)
        }
        return norm
    }

    /// Throws when the model now trains a tensor this optimiser has no moments for.
    private func checkCoverage(_ model: LlamaModel) throws {
        let base = Set(entries.filter { $0.owner == .base }.map(\.slice.offset))
        for (i, s) in model.layout.slices.enumerated() where model.trainable[i] && !base.contains(s.offset) {
            throw ModelError.invalidState("\(s.name) became trainable after its AdamW optimiser was created; "
                + "set trainable flags (and attach adapters) before creating the optimiser")
        }
        if let lora = model.adapter, lora.isTrainable, !entries.contains(where: { $0.owner == .adapter }) {
            throw ModelError.invalidState("a trainable LoRA adapter was attached after its AdamW optimiser was created; "
                + "attach it before creating the optimiser")
        }
    }
}
