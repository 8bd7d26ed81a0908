import Kernels

/// A RoPE frequency rescaling from `config.json`'s `rope_scaling` (or transformers 5's `rope_parameters`).
///
/// Only the kinds that are a fixed function of the inverse frequencies are supported: `linear` divides
/// every frequency by `factor`; `llama3` (Llama 3.1) keeps high frequencies, divides low ones by `factor`
/// and interpolates in between, exactly as transformers' `_compute_llama3_parameters`.
public struct RoPEScaling: Codable, Equatable, Sendable {
    /// The supported `rope_type` values.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Position interpolation: θ_i / factor for every i.
        case linear
        /// Llama 3.1's wavelength-dependent scaling.
        case llama3
    }

    /// Which rescaling.
    public var kind: Kind
    /// Divisor of the (low) frequencies.
    public var factor: Double
    /// `llama3`: wavelengths above original_max / low_freq_factor are divided by `factor`.
    public var lowFreqFactor: Double?
    /// `llama3`: wavelengths below original_max / high_freq_factor are kept.
    public var highFreqFactor: Double?
    /// `llama3`: the context length of pretraining.
    public var originalMaxPositionEmbeddings: Int?

    enum CodingKeys: String, CodingKey {
        case kind = "rope_type"
        case factor
        case lowFreqFactor = "low_freq_factor"
        case highFreqFactor = "high_freq_factor"
        case originalMaxPositionEmbeddings = "original_max_position_embeddings"
    }

    /// A `linear` scaling by `factor`.
    public static func linear(factor: Double) -> RoPEScaling {
        RoPEScaling(kind: .linear, factor: factor)
    }

    /// A `llama3` scaling (Llama 3.1 uses factor 8, low 1, high 4, original 8192).
    public static func llama3(factor: Double, lowFreqFactor: Double, highFreqFactor: Double,
                              originalMaxPositionEmbeddings: Int) -> RoPEScaling {
        RoPEScaling(kind: .llama3, factor: factor, lowFreqFactor: lowFreqFactor, highFreqFactor: highFreqFactor,
                    originalMaxPositionEmbeddings: originalMaxPositionEmbeddings)
    }

    /// Throws `invalidConfig` naming the `rope_scaling` field that is missing or out of range.
    func validate() throws {
        func fail(_ field: String, _ why: String) -> ModelError { .invalidConfig(field: "rope_scaling.\(field)", reason: why) }
        guard factor.isFinite, factor > 0 else { throw fail("factor", "must be a positive number, got \(factor)") }
        guard kind == .llama3 else { return }
        guard let low = lowFreqFactor else { throw fail("low_freq_factor", "is required for rope_type llama3") }
        guard let high = highFreqFactor else { throw fail("high_freq_factor", "is required for rope_type llama3") }
        guard let original = originalMaxPositionEmbeddings else {
            throw fail("original_max_position_embeddings", "is required for rope_type llama3")
        }
        guard low.isFinite, low > 0 else { throw fail("low_freq_factor", "must be positive, got \(low)") }
        guard high.isFinite, high > low else {
            throw fail("high_freq_factor", "must be larger than low_freq_factor \(low), got \(high)")
        }
        guard original > 0, original <= LlamaConfig.maxPositionLimit else {
            throw fail("original_max_position_embeddings", "must be in 1...\(LlamaConfig.maxPositionLimit), got \(original)")
        }
    }

    /// Rescales default inverse frequencies, in Float in the order transformers' torch code rounds.
    ///
    /// `llama3`: wavelen = 2π/f; f/factor when wavelen > original/low; f when wavelen < original/high;
    /// otherwise (1−s)·f/factor + s·f with s = (original/wavelen − low)/(high − low).
    func apply(to inverseFrequencies: [Float]) -> [Float] {
        let factor = Float(self.factor)
        switch kind {
        case .linear:
            return inverseFrequencies.map { $0 / factor }
        case .llama3:
            let low = lowFreqFactor ?? 1, high = highFreqFactor ?? 1
            let original = Double(originalMaxPositionEmbeddings ?? 1)
            // torch compares float32 against Python floats rounded to float32.
            let lowWavelen = Float(original / low), highWavelen = Float(original / high)
            let twoPi = Float(2 * Double.pi), span = Float(high - low)
            return inverseFrequencies.map { f in
                let wavelen = (1 / f) * twoPi // torch's `scalar / tensor` is reciprocal(tensor) · scalar
                let scaled = wavelen > lowWavelen ? f / factor : f
                guard !(wavelen < highWavelen), !(wavelen > lowWavelen) else { return scaled }
                let smooth = ((1 / wavelen) * Float(original) - Float(low)) / span
                return (1 - smooth) * scaled / factor + smooth * scaled
            }
        }
    }
}

extension LlamaConfig {
    /// The RoPE inverse frequencies (HD/2) of this config: θ^(-2i/HD), then `ropeScaling` if any.
    public var ropeInverseFrequencies: [Float] {
        let base = RoPE.inverseFrequencies(headDim: headDim, theta: ropeTheta)
        return ropeScaling?.apply(to: base) ?? base
    }
}
