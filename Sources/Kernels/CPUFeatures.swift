import Foundation

/// The vector extensions of the CPU this process runs on, read once from `/proc/cpuinfo` (Linux); kernels
/// with a faster variant pick it at run time from here.
public struct CPUFeatures: Sendable {
    /// AVX2 and FMA (every x86-64 machine the project targets).
    public let avx2: Bool
    /// AVX-512 foundation.
    public let avx512: Bool
    /// AVX-512 BF16 (`vdpbf16ps`): bfloat16 dot products into fp32.
    public let avx512BF16: Bool

    /// The flags of this machine.
    public static let current = CPUFeatures(cpuinfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")

    /// Features named in the first `flags` line of a `/proc/cpuinfo` text (all false when it has none).
    init(cpuinfo: String) {
        let line = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let flags = Set(line.split(separator: " ").map(String.init))
        avx2 = flags.contains("avx2") && flags.contains("fma")
        avx512 = flags.contains("avx512f")
        avx512BF16 = flags.contains("avx512_bf16")
    }

    /// A short description such as "AVX-512 with BF16".
    public var summary: String {
        if avx512 { return avx512BF16 ? "CPU: AVX-512 with BF16" : "CPU: AVX-512" }
        return avx2 ? "CPU: AVX2" : "CPU: no AVX2"
    }
}
