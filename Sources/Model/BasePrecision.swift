import Kernels

/// Precision of the training products with frozen base matrices (a LoRA base): the forward products
/// out = x·Wᵀ and the input gradients dX = dY·W. Adapters, norms, attention, the loss, weight gradients and
/// AdamW stay fp32 in both settings.
public enum BasePrecision: String, CaseIterable, Sendable {
    /// fp32 operands through OpenBLAS sgemm (the reference, and the default).
    case fp32
    /// bfloat16 operands with fp32 accumulation (AVX-512 BF16 `vdpbf16ps`), the frozen weights rounded to
    /// bfloat16 as each product packs them; needs `BF16Matmul.isSupported`.
    case bf16

    /// Whether this CPU runs this setting (bf16 needs AVX-512 BF16).
    public var isSupported: Bool { self == .fp32 || BF16Matmul.isSupported }

    /// Throws `invalidConfig` naming `field` when this CPU cannot run the setting.
    public func checkSupported(field: String) throws {
        guard !isSupported else { return }
        throw ModelError.invalidConfig(field: field, reason: "is bf16, but this CPU has no AVX-512 BF16 (\(CPUFeatures.current.summary)); "
            + "use fp32 here")
    }

    /// Benchmark wording of the path this setting takes.
    public var pathDescription: String {
        switch self {
        case .fp32: return "frozen base fp32, " + InferencePrecision.fp32.pathDescription
        case .bf16: return "frozen base bf16 (AVX-512 BF16 vdpbf16ps, fp32 accumulation; forward and input-gradient "
            + "products), adapters and weight gradients fp32 (OpenBLAS \(BLAS.coreName)); \(CPUFeatures.current.summary)"
        }
    }
}
