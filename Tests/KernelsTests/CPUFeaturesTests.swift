import XCTest
@testable import Kernels

/// Reading the vector extensions from `/proc/cpuinfo` text.
final class CPUFeaturesTests: XCTestCase {
    func testFlagsLineDecidesTheFeatures() {
        let zen4 = CPUFeatures(cpuinfo: "processor\t: 0\nflags\t\t: fpu sse2 avx2 fma avx512f avx512bw avx512_bf16\n")
        XCTAssertTrue(zen4.avx2 && zen4.avx512 && zen4.avx512BF16)
        XCTAssertEqual(zen4.summary, "CPU: AVX-512 with BF16")
        let haswell = CPUFeatures(cpuinfo: "flags\t\t: fpu sse2 avx2 fma\n")
        XCTAssertTrue(haswell.avx2)
        XCTAssertFalse(haswell.avx512 || haswell.avx512BF16)
        XCTAssertEqual(haswell.summary, "CPU: AVX2")
        XCTAssertFalse(CPUFeatures(cpuinfo: "").avx2)
    }

    func testBF16SupportAgreesWithTheCPUFlags() {
        XCTAssertEqual(BF16Matmul.isSupported, CPUFeatures.current.avx512BF16 && CPUFeatures.current.avx512)
    }
}
