import CBLAS

/// Splits the data-parallel loops of the kernels over the configured number of threads.
///
/// Work is cut into at most `threadCount` contiguous ranges in a fixed way, so results (including
/// reductions, which combine per-range partials in range order) depend only on the thread count.
public enum Parallel {
    /// Threads the kernels use; set through `BLAS.setThreadCount`, which also pins OpenBLAS to one thread.
    ///
    /// Raising it starts a larger worker pool (threads are never stopped; lowering it just uses fewer).
    public internal(set) static var threadCount = Parallel.startUp() {
        didSet {
            if pool.workerCount < threadCount - 1 { pool = WorkerPool(workerCount: threadCount - 1) }
        }
    }

    /// The initial thread count: what OpenBLAS chose for this machine (cores or `OPENBLAS_NUM_THREADS`).
    private static func startUp() -> Int {
        let n = max(1, Int(openblas_get_num_threads()))
        openblas_set_num_threads(1)
        return n
    }

    /// The contiguous ranges `0..<count` is cut into when each range holds at least `grain` items.
    static func ranges(count: Int, grain: Int) -> [Range<Int>] {
        let parts = max(1, min(threadCount, count / max(grain, 1)))
        return (0..<parts).map { p in (count * p / parts)..<(count * (p + 1) / parts) }
    }

    /// The worker threads, sized for the largest thread count set so far.
    private static var pool = WorkerPool(workerCount: max(0, threadCount - 1))

    /// Runs `body` on each range of `0..<count`, concurrently when there is more than one.
    static func forEachRange(count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        let parts = ranges(count: count, grain: grain)
        if parts.count == 1 {
            body(parts[0])
            return
        }
        pool.run(parts: parts.count) { body(parts[$0]) }
    }

    /// Runs `first` and `second` side by side on two threads (one after the other on one thread).
    static func both(_ first: () -> Void, _ second: () -> Void) {
        forEachRange(count: 2, grain: 1) { range in
            for part in range { if part == 0 { first() } else { second() } }
        }
    }

    /// Maps each range of `0..<count` to a partial result, concurrently; partials come back in range order.
    static func mapRanges<T>(count: Int, grain: Int, _ body: (Range<Int>) -> T) -> [T] {
        let parts = ranges(count: count, grain: grain)
        if parts.count == 1 { return [body(parts[0])] }
        var results = [T?](repeating: nil, count: parts.count)
        results.withUnsafeMutableBufferPointer { slots in
            let base = slots.baseAddress!
            pool.run(parts: parts.count) { base[$0] = body(parts[$0]) }
        }
        return results.map { $0! }
    }
}
