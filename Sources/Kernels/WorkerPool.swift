import Foundation
import Synchronization

/// Persistent worker threads for `Parallel`: a job reaches a waiting worker in about a microsecond.
///
/// A worker that finishes spins for a short while on the job counter before it sleeps on a condition
/// variable, so the back-to-back kernels of a training step never pay a thread wake-up (tens of
/// microseconds with a plain dispatch queue). The pool runs one job at a time; a caller that finds it
/// busy (another thread's job, or a job started from inside a job) runs its parts itself.
final class WorkerPool: @unchecked Sendable {
    /// Spin iterations between `sched_yield` calls while waiting (a few microseconds).
    private static let spinsPerYield = 2_000
    /// Spin iterations before an idle worker sleeps (roughly 50–100 µs).
    private static let spinLimit = 20_000

    /// Number of worker threads (besides the caller).
    let workerCount: Int
    /// Bumped once per job; workers wait for it to change.
    private let generation = Atomic<Int>(0)
    /// Workers that have not yet finished (or skipped) the current job.
    private let pending = Atomic<Int>(0)
    /// Set while a job is in flight.
    private let busy = Atomic<Bool>(false)
    /// Workers asleep on `wakeUp`.
    private let sleepers = Atomic<Int>(0)
    /// Guards sleeping and waking.
    private let wakeUp = NSCondition()
    /// The current job: part index to work; valid while `busy` is set.
    private var job: ((Int) -> Void)?
    /// Parts of the current job (the caller runs part 0).
    private var partCount = 0

    /// Starts `workerCount` threads that live as long as the process (they keep the pool alive).
    init(workerCount: Int) {
        self.workerCount = workerCount
        for index in 0..<workerCount {
            let thread = Thread { self.workerLoop(part: index + 1) }
            thread.name = "rlhf-kernel-\(index + 1)"
            thread.start()
        }
    }

    /// Runs `body(p)` for p in 0..<parts, part 0 on the calling thread; returns when all are done.
    func run(parts: Int, _ body: (Int) -> Void) {
        guard parts > 1, parts <= workerCount + 1,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for p in 0..<parts { body(p) }
            return
        }
        withoutActuallyEscaping(body) { body in
            job = body
            partCount = parts
            pending.store(workerCount, ordering: .releasing)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wakeUp.lock()
                wakeUp.broadcast()
                wakeUp.unlock()
            }
            body(0)
            var spins = 0
            while pending.load(ordering: .acquiring) > 0 {
                spins += 1
                // On an oversubscribed machine the worker may be waiting for this core: let it run.
                if spins % Self.spinsPerYield == 0 { sched_yield() }
            }
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    /// A worker's life: wait for a new generation, run its part if the job has one, repeat.
    private func workerLoop(part: Int) {
        var seen = 0
        while true {
            seen = waitForJob(after: seen)
            runPart(part)
            // Every worker acknowledges every job, so none can still touch it when the caller moves on.
            pending.subtract(1, ordering: .releasing)
        }
    }

    /// Runs this worker's part of the current job, if it has one.
    ///
    /// Not inlined: every retain and release of the job's closure happens before this returns, so
    /// none can move past the acknowledgement and outlive the caller's frame.
    @inline(never)
    private func runPart(_ part: Int) {
        if part < partCount, let job { job(part) }
    }

    /// Spins, then sleeps, until the generation moves past `seen`; returns the new generation.
    private func waitForJob(after seen: Int) -> Int {
        for spin in 1...Self.spinLimit {
            let now = generation.load(ordering: .acquiring)
            if now != seen { return now }
            if spin % Self.spinsPerYield == 0 { sched_yield() }
        }
        wakeUp.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while generation.load(ordering: .sequentiallyConsistent) == seen { wakeUp.wait() }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        wakeUp.unlock()
        return generation.load(ordering: .acquiring)
    }
}
