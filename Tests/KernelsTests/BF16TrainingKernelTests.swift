import BF16Kernels
@testable import Kernels
import TestSupport
import XCTest

/// The bf16 kernels behind a frozen bf16 LoRA base: the vectorised packings give the scalar packings' bits, and
/// the input-gradient product dX = dY·W matches a double-precision product of the same bf16-rounded operands.
/// Skipped on CPUs without AVX-512 BF16.
final class BF16TrainingKernelTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(BF16Matmul.isSupported, "this CPU has no AVX-512 BF16")
    }

    /// Values with ties, NaN, infinities and tiny numbers mixed into random ones.
    private func awkward(_ n: Int, seed: UInt64) -> [Float] {
        var x = GradientCheck.random(n, seed: seed)
        let special: [Float] = [.nan, .infinity, -.infinity, 1 + 1 / 256, 1 + 3 / 256, 1e-40, -0.0, Float(bitPattern: 0x3f80_8000)]
        for (i, v) in special.enumerated() where i * 7 < n { x[i * 7] = v }
        return x
    }

    /// Bits of `x` rounded by the scalar reference `bf16_round`.
    private func rounded(_ x: [Float]) -> [UInt16] {
        var out = [UInt16](repeating: 0, count: x.count)
        bf16_round(x, &out, x.count)
        return out
    }

    private func float(_ bits: UInt16) -> Double { Double(Float(bitPattern: UInt32(bits) << 16)) }

    func testVectorPackingsGiveTheScalarBits() {
        for (n, k) in [(5, 3), (45, 70), (96, 64), (33, 33), (1, 1), (40, 35)] {
            let w = awkward(n * k, seed: UInt64(n * 31 + k))
            let kpad = (k + 1) & ~1, panels = (n + 31) / 32
            var scalar = [UInt16](repeating: 7, count: panels * 32 * kpad), fast = scalar
            bf16_pack_nt(w, n, k, &scalar, 0, panels)
            bf16_pack_nt_fast(w, n, k, &fast, 0, panels)
            XCTAssertEqual(fast, scalar, "nt \(n)x\(k)")
            var rows = [UInt16](repeating: 7, count: n * kpad), rowsFast = rows
            bf16_pack_rows(w, n, k, k, &rows)
            bf16_pack_rows_range(w, k, k, &rowsFast, 0, n)
            XCTAssertEqual(rowsFast, rows, "rows \(n)x\(k)")
        }
    }

    func testInputGradientPackingHoldsTheTransposedWeight() {
        // Packing W (K,N) for dY·W must equal the nt packing of Wᵀ (N,K).
        for (k, n) in [(5, 3), (70, 45), (33, 64), (9, 33)] {
            let w = awkward(k * n, seed: UInt64(k + 1000 * n))
            var wt = [Float](repeating: 0, count: k * n)
            for i in 0..<k { for j in 0..<n { wt[j * k + i] = w[i * n + j] } }
            let kpad = (k + 1) & ~1, panels = (n + 31) / 32
            var nn = [UInt16](repeating: 7, count: panels * 32 * kpad), nt = nn
            bf16_pack_nn(w, k, n, n, &nn, 0, panels)
            bf16_pack_nt(wt, n, k, &nt, 0, panels)
            XCTAssertEqual(nn, nt, "\(k)x\(n)")
        }
    }

    func testInputGradientProductMatchesRoundedOperandsInDouble() {
        // dinp (N,C) = dout (N,OC) · W (OC,C): odd OC, C off the 32-column panels, N off the 8-row tiles, and an
        // OC long enough to be cut into three K blocks.
        for (n, c, oc) in [(1, 5, 3), (13, 45, 70), (9, 64, 33), (3, 40, 2 * 2 * BF16Matmul.kBlockPairs + 77)] {
            let dout = GradientCheck.random(n * oc, seed: UInt64(n + oc)), w = GradientCheck.random(oc * c, seed: UInt64(c))
            let packed = BF16Matmul.PackedWeight(inputGradientOf: w, outFeatures: oc, inFeatures: c)
            XCTAssertEqual(packed.outFeatures, c)
            XCTAssertEqual(packed.inFeatures, oc)
            var got = [Float](repeating: .nan, count: n * c)
            BF16Matmul.forward(out: &got, inp: dout, weight: packed, n: n)
            let rd = rounded(dout).map(float), rw = rounded(w).map(float)
            var fp32 = [Float](repeating: 0, count: n * c)
            Matmul.backward(dinp: &fp32, dweight: nil, dout: dout, inp: [Float](repeating: 0, count: n * c), weight: w, n: n, c: c, oc: oc)
            let scale = fp32.map { abs($0) }.max()!
            for i in 0..<n {
                for j in 0..<c {
                    var want = 0.0, size = 0.0
                    for o in 0..<oc {
                        want += rd[i * oc + o] * rw[o * c + j]
                        size += abs(rd[i * oc + o] * rw[o * c + j])
                    }
                    // fp32 accumulation of exact bf16 products: error ~ K·2⁻²⁴ of Σ|terms|.
                    XCTAssertEqual(Double(got[i * c + j]), want, accuracy: 1e-6 * Double(oc) * max(size, 1e-3), "\(n)x\(c)x\(oc) at \(i),\(j)")
                    XCTAssertEqual(got[i * c + j], fp32[i * c + j], accuracy: 0.01 * scale, "against fp32")
                }
            }
        }
    }
}
