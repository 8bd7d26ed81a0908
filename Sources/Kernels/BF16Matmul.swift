import BF16Kernels

/// Linear layers with bfloat16 operands and fp32 accumulation (`vdpbf16ps`), for inference on CPUs with
/// AVX-512 BF16: about twice the multiply-adds per cycle of fp32 FMA and half the weight traffic.
///
/// Inputs and weights are rounded to bfloat16 (8 significant bits, round to nearest even), so outputs
/// carry a relative error of about 2⁻⁹·√K against fp32; fp32 (`Matmul`) stays the reference.
public enum BF16Matmul {
    /// Whether this CPU runs the bf16 kernels (AVX-512 BF16 and BW), checked once at run time.
    public static let isSupported: Bool = bf16_supported() != 0

    /// A weight (OC,C) rounded to bfloat16 and packed into 32-column panels for `forward`; a snapshot:
    /// later changes to the fp32 weight do not reach it.
    public final class PackedWeight {
        /// Output features OC and input features C.
        public let outFeatures: Int, inFeatures: Int
        /// C rounded up to even (the kernel works on pairs).
        let kpad: Int
        /// Number of 32-column panels.
        let panels: Int
        /// ceil(OC/32) panels of 32·kpad bfloat16.
        let storage: UnsafeMutablePointer<UInt16>

        /// Packs weight (OC,C), splitting the panels over the kernel threads.
        public init(weight: UnsafePointer<Float>, outFeatures oc: Int, inFeatures c: Int) {
            outFeatures = oc
            inFeatures = c
            kpad = (c + 1) & ~1
            panels = (oc + Int(BF16_PANEL) - 1) / Int(BF16_PANEL)
            storage = .allocate(capacity: max(1, panels * Int(BF16_PANEL) * kpad))
            let p = storage, n = panels
            Parallel.forEachRange(count: n, grain: 1) { r in
                bf16_pack_nt(weight, oc, c, p, r.lowerBound, r.upperBound)
            }
        }

        deinit { storage.deallocate() }
    }

    /// out (N,OC) (+)= bf16(inp (N,C)) · bf16(weight)ᵀ, accumulated in fp32; `accumulate` adds into out.
    ///
    /// Column panels are split over the kernel threads, so each thread streams only its share of the weight.
    /// Requires `isSupported`.
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight w: PackedWeight, n: Int,
        accumulate: Bool = false
    ) {
        precondition(isSupported, "BF16Matmul needs a CPU with AVX-512 BF16")
        let rows = UnsafeMutablePointer<UInt16>.allocate(capacity: max(1, n * w.kpad))
        defer { rows.deallocate() }
        bf16_pack_rows(inp, n, w.inFeatures, w.inFeatures, rows)
        let oc = w.outFeatures, kpad = w.kpad, packed = w.storage
        Parallel.forEachRange(count: w.panels, grain: 1) { r in
            bf16_gemm_nt(rows, n, kpad, packed, oc, r.lowerBound, r.upperBound, out, oc, accumulate ? 1 : 0)
        }
    }
}
