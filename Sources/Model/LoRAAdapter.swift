import Kernels

/// A LoRA adapter for one model: its A and B matrices in one contiguous buffer, their gradients (once it trains) in another.
///
/// Attached to a `LlamaModel` (`attach(_:)`), every adapted projection computes y = W·x + scale·B·(A·x), and
/// backward gives gradients for A and B only. `isEnabled = false` makes the model its base again (e.g. PPO's
/// reference) without a second copy of any weight.
public final class LoRAAdapter {
    /// Rank, alpha and targets.
    public let config: LoRAConfig
    /// Named slices of `parameters` and `gradients` (PEFT names).
    public let layout: LoRALayout
    /// The sizes of the model this adapter fits.
    public let modelConfig: LlamaConfig
    /// All A and B values, laid out by `layout`.
    public let parameters: FloatBuffer
    /// Gradients of A and B, same layout; allocated on first use, so an adapter that only scores (PPO's reward
    /// model) holds none.
    public var gradients: FloatBuffer {
        if let gradientStorage { return gradientStorage }
        let buffer = FloatBuffer(count: layout.count)
        gradientStorage = buffer
        return buffer
    }
    /// The gradient buffer once something has used it.
    var gradientStorage: FloatBuffer?
    /// Whether the gradient buffer has been allocated.
    var hasGradientBuffer: Bool { gradientStorage != nil }
    /// Whether forward adds the adapter term; off, the model computes exactly its base.
    public var isEnabled = true
    /// Whether backward computes gradients for A and B (and the optimiser updates them).
    public var isTrainable = true
    /// Saved u = A·x of each module for the last training forward (modules × rows × r).
    var saved = FloatBuffer(count: 0)
    /// Rows (B·T) that `saved` holds per module.
    var savedRows = 0
    /// Scratch for u during inference and for du during backward (rows × r).
    var scratch = FloatBuffer(count: 0)

    /// An adapter with all of A and B zero (to be filled, e.g. by `load`).
    public init(config: LoRAConfig, model: LlamaConfig) throws {
        try config.validate()
        self.config = config
        modelConfig = model
        layout = LoRALayout(lora: config, config: model)
        parameters = FloatBuffer(count: layout.count)
    }

    /// A fresh adapter as PEFT initialises one: A Kaiming-uniform (a = √5, so U(−1/√in, 1/√in)), B zero,
    /// so the adapted model equals its base until B trains.
    public convenience init(config: LoRAConfig, model: LlamaConfig, seed: UInt64) throws {
        try self.init(config: config, model: model)
        var rng = Xoshiro256(seed: seed)
        for m in layout.modules {
            let bound = 1 / Double(m.inputs).squareRoot()
            let a = parameters.pointer + m.a
            for i in 0..<(config.rank * m.inputs) { a[i] = Float((rng.nextUniform() * 2 - 1) * bound) }
        }
    }

    /// Redraws every B from N(0, std²) (a non-trivial adapter for checks against other loaders; training
    /// starts from zero B).
    public func randomizeB(std: Float, seed: UInt64) {
        var rng = Xoshiro256(seed: seed)
        for m in layout.modules {
            let b = parameters.pointer + m.b
            for i in 0..<(m.outputs * config.rank) { b[i] = Float(rng.nextNormal() * Double(std)) }
        }
    }

    /// Number of adapter parameters.
    public var parameterCount: Int { layout.count }

    /// The values of one named tensor (a PEFT name).
    public func parameter(named name: String) throws -> [Float] {
        guard let s = layout.slices.first(where: { $0.name == name }) else { throw ModelError.unknownParameter(name) }
        return parameters.array(offset: s.offset, count: s.count)
    }

    /// Makes `saved` hold at least `rows` rows per module (a training forward).
    func reserveSaved(rows: Int) {
        guard savedRows < rows else { return }
        saved = FloatBuffer(count: layout.modules.count * rows * config.rank)
        savedRows = rows
    }

    /// Makes `scratch` hold at least `rows` rows.
    func reserveScratch(rows: Int) {
        if scratch.count < rows * config.rank { scratch = FloatBuffer(count: rows * config.rank) }
    }

    /// Saved u (rows × r) of module `index`.
    func savedU(_ index: Int) -> UnsafeMutablePointer<Float> { saved.pointer + index * savedRows * config.rank }
}
