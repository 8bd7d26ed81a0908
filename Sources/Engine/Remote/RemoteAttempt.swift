import EngineCore

/// Submission ids and attempts of remote runs, decided without a scheduler in sight.
/// - Attempt `n` of node key `k` is submitted as `k-n`.
/// - A new attempt never takes an id the scheduler already knows: Ray keeps an ended job under its id (and names
///   the job's supervisor actor after it), so reusing the id of a stopped job breaks the new one.
/// - A driver that finds an earlier driver's pending run re-attaches only to a job still queued or running, or one
///   whose result is there; a job that ended without a result is followed by a new attempt.
enum RemoteAttempt {
    /// What a driver does with the pending run an earlier driver recorded for a key.
    enum Resumption: Equatable {
        /// Follow job `jobId`: it is queued or running, or its result is already there.
        case attach(jobId: String)
        /// Submit attempt `attempt` (or a later one the scheduler has not seen). `failed`: the recorded job ended or
        /// vanished without a result, an infrastructure failure that counts against the node's retries.
        case resubmit(attempt: Int, failed: Bool)
    }

    /// The submission id of attempt `attempt` of node key `key`: `<key>-<attempt>`.
    static func submissionID(key: String, attempt: Int) -> String {
        "\(key)-\(attempt)"
    }

    /// The attempt that `submissionID` names when it is an id of node key `key`, else nil.
    static func attempt(of submissionID: String, key: String) -> Int? {
        guard submissionID.hasPrefix(key + "-") else { return nil }
        let digits = submissionID.dropFirst(key.count + 1)
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let attempt = Int(digits), attempt >= 1 else { return nil }
        return attempt
    }

    /// The attempt to submit key `key` as: `start`, or one past the highest attempt of `key` among `known` (the
    /// submission ids the scheduler knows, whatever their state), whichever is later.
    /// - Complexity: O(n) in the number of known ids.
    static func firstUnused(key: String, from start: Int, known: some Sequence<String>) -> Int {
        let highest = known.lazy.compactMap { attempt(of: $0, key: key) }.max() ?? 0
        return max(start, highest + 1)
    }

    /// What to do with a pending run of attempt `attempt` whose job is `jobId` (nil: the earlier driver died before
    /// learning it and the scheduler knows no job under its submission id), in `state` (nil when not asked: no job),
    /// and whether its result is already there.
    static func resume(attempt: Int, jobId: String?, state: RemoteJobState?, hasResult: Bool, submissionID: String) -> Resumption {
        if hasResult { return .attach(jobId: jobId ?? submissionID) }
        guard let jobId else { return .resubmit(attempt: attempt + 1, failed: false) }
        switch state {
        case .queued?, .running?: return .attach(jobId: jobId)
        case .ended?, .unknown?, nil: return .resubmit(attempt: attempt + 1, failed: true)
        }
    }
}
