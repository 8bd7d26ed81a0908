import Foundation

/// The memory this process has used, as the kernel reports it.
public enum ProcessMemory {
    /// Peak resident memory of this process so far, in MiB (`getrusage` `ru_maxrss`, which Linux reports in KiB).
    public static var peakResidentMegabytes: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
