import EngineCore
import Foundation

/// The SIMD features of this machine that a `-target-cpu native` build may use, read from `/proc/cpuinfo`.
/// The driver sends its set in the node spec; a worker missing any of them refuses to start with a clear
/// error instead of dying on an illegal instruction half-way through training.
enum CPUFeatures {
    /// Features the compiler's `native` target enables and our kernels can hit (x86-64 and arm64 names).
    static let relevant: Set<String> = ["sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "bmi1", "bmi2", "avx512f", "avx512bw",
                                        "avx512dq", "avx512vl", "avx512_bf16", "avx512_vnni", "asimd", "asimdhp", "sve", "sve2", "bf16", "i8mm"]

    /// The relevant features of this CPU, sorted (empty when `/proc/cpuinfo` is unreadable).
    static func current(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> [String] {
        guard let cpuinfo else { return [] }
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") || line.hasPrefix("Features") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init)).intersection(relevant).sorted()
        }
        return []
    }

    /// The CPU model name, for the producer of a result.
    static func model(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> String {
        for line in (cpuinfo ?? "").split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return "unknown CPU"
    }

    /// Why this machine cannot run a binary built where `required` features exist, or nil when it can.
    static func mismatch(required: [String], available: [String]) -> String? {
        let missing = Set(required).subtracting(available).sorted()
        guard !missing.isEmpty else { return nil }
        return "this worker's CPU lacks \(missing.joined(separator: ", ")), which the rlhf binary may use: release builds are compiled "
            + "with -target-cpu native on the building machine. Build rlhf on a worker (or on the oldest CPU of the cluster) and point "
            + "the driver at that binary with RLHF_WORKER_BINARY (see README, \"Running nodes on a cluster\")"
    }
}
