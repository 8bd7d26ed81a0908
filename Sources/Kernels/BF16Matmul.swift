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
        /// Pairs of K per block in `forward` (all of K for a layer's own packing, so inference keeps its bits;
        /// `kBlockPairs` for an input-gradient packing, whose K can be a vocabulary).
        let kBlock: Int
        /// ceil(OC/32) panels of 32·kpad bfloat16.
        let storage: UnsafeMutablePointer<UInt16>

        /// Packs weight (OC,C), splitting the panels over the kernel threads.
        public convenience init(weight: UnsafePointer<Float>, outFeatures oc: Int, inFeatures c: Int) {
            self.init(outFeatures: oc, inFeatures: c, kBlock: (c + 1) / 2) { p, range in
                if BF16Matmul.isSupported {
                    bf16_pack_nt_fast(weight, oc, c, p, range.lowerBound, range.upperBound)
                } else {
                    bf16_pack_nt(weight, oc, c, p, range.lowerBound, range.upperBound)
                }
            }
        }

        /// Packs weight W (OC,C) for the input gradient of the layer out = inp·Wᵀ: `forward` with this packing
        /// computes dinp (N,C) = dout (N,OC) · W. Its `outFeatures` is C and its `inFeatures` OC. Requires
        /// `isSupported`.
        public convenience init(inputGradientOf weight: UnsafePointer<Float>, outFeatures oc: Int, inFeatures c: Int) {
            precondition(isSupported, "BF16Matmul needs a CPU with AVX-512 BF16")
            self.init(outFeatures: c, inFeatures: oc, kBlock: BF16Matmul.kBlockPairs) { p, range in
                bf16_pack_nn(weight, oc, c, c, p, range.lowerBound, range.upperBound)
            }
        }

        /// Allocates ceil(oc/32) panels for a product with `ic` inputs and fills them with `pack` (the packed
        /// storage and a range of panels), the panels split over the kernel threads.
        private init(outFeatures oc: Int, inFeatures ic: Int, kBlock: Int,
                     pack: (UnsafeMutablePointer<UInt16>, Range<Int>) -> Void) {
            self.kBlock = max(1, kBlock)
            outFeatures = oc
            inFeatures = ic
            kpad = (ic + 1) & ~1
            panels = (oc + Int(BF16_PANEL) - 1) / Int(BF16_PANEL)
            storage = .allocate(capacity: max(1, panels * Int(BF16_PANEL) * kpad))
            let p = storage
            Parallel.forEachRange(count: panels, grain: 1) { pack(p, $0) }
        }

        /// Bytes of bfloat16 this packing holds.
        public var byteCount: Int { panels * Int(BF16_PANEL) * kpad * 2 }

        deinit { storage.deallocate() }
    }

    /// Pairs of K per block of an input-gradient product: a panel's block (32 × 4096 bfloat16, 256 KiB) stays
    /// in L2 while every row tile runs over it. SmolLM2's layers (K ≤ 4096) are one block; an LM head's input
    /// gradient (K = vocabulary) is cut.
    static let kBlockPairs = 2048

    /// out (N,OC) (+)= bf16(inp (N,C)) · bf16(weight)ᵀ, accumulated in fp32; `accumulate` adds into out.
    ///
    /// The rows are rounded on all kernel threads, then the column panels are split over them, so each thread
    /// streams only its share of the weight. Requires `isSupported`.
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight w: PackedWeight, n: Int,
        accumulate: Bool = false
    ) {
        precondition(isSupported, "BF16Matmul needs a CPU with AVX-512 BF16")
        let rows = UnsafeMutablePointer<UInt16>.allocate(capacity: max(1, n * w.kpad))
        defer { rows.deallocate() }
        let c = w.inFeatures
        Parallel.forEachRange(count: n, grain: 16) { r in bf16_pack_rows_range(inp, c, c, rows, r.lowerBound, r.upperBound) }
        let oc = w.outFeatures, kpad = w.kpad, packed = w.storage, block = w.kBlock
        Parallel.forEachRange(count: w.panels, grain: 1) { r in
            bf16_gemm_nt_blocked(rows, n, kpad, packed, oc, r.lowerBound, r.upperBound, out, oc, accumulate ? 1 : 0, block)
        }
    }
}
