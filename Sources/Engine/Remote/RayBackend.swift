import EngineCore
import Foundation

/// Ray through its Jobs REST API on the dashboard (`http://HEAD:8265`), straight from Swift: `POST /api/jobs/` to
/// submit with the node key and attempt as `submission_id` (a new attempt takes one past the highest attempt Ray
/// knows, so an ended job's id is never reused), one `GET /api/jobs/` for every job being polled,
/// `POST /api/jobs/{id}/stop` to cancel, `GET /api/jobs/{id}` to find a job again, `GET /api/jobs/{id}/logs` for the
/// last words of a job that left no result. The job id the dispatcher records is the submission id. As with Slurm,
/// the result says how a node ended.
public struct RayBackend: ExecutorBackend {
    /// `ray`.
    public let name = "ray"
    /// The dashboard's base URL.
    let address: URL
    private let http: RayHTTP

    /// The dashboard address when none is given: Ray's own `RAY_API_SERVER_ADDRESS`, then an `http(s)://`
    /// `RAY_ADDRESS`, then a head on this machine.
    public static func defaultAddress(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let address = environment["RAY_API_SERVER_ADDRESS"], !address.isEmpty { return address }
        if let address = environment["RAY_ADDRESS"], address.hasPrefix("http://") || address.hasPrefix("https://") { return address }
        return "http://127.0.0.1:8265"
    }

    /// Talks to the dashboard at `address` (`host:port` gets `http://`); a bad address is a clear error.
    public init(address: String) throws {
        let text = address.contains("://") ? address : "http://" + address
        guard let url = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text), let scheme = url.scheme,
              ["http", "https"].contains(scheme), url.host != nil else {
            throw EngineError.notFound(what: "Ray dashboard address '\(address)'",
                                       hint: "give the dashboard's HTTP address, e.g. --ray-address http://127.0.0.1:8265 (the Jobs API, not the ray:// client port)")
        }
        self.address = url
        self.http = RayHTTP(base: url)
    }

    /// Submits the job under its submission id, which must be new to Ray (`nextAttempt` chose it). Ray refusing a
    /// taken id is answered with the job itself only when it is this very run (same run directory) and still queued
    /// or running, e.g. a retried request whose first answer was lost; an ended job's id is never deleted and reused,
    /// because Ray names the job's supervisor actor after it and a second job under that name does not start.
    public func submit(_ request: RemoteJobRequest) throws -> String {
        let body = try JSONSerialization.data(withJSONObject: try Self.submission(request), options: [.sortedKeys])
        let id = request.submissionID
        let response = try http.send("POST", "/api/jobs/", body: body)
        if response.status == 200 { return (try? Self.object(response.body)["submission_id"] as? String) ?? id }
        guard let job = try details(of: id) else { throw failure("submitting \(request.name)", response) }
        let state = Self.state(of: job)
        if state == .queued || state == .running, (job["metadata"] as? [String: Any])?["run_directory"] as? String == request.runDirectory {
            return id
        }
        throw EngineError.stageFailed(node: request.name, message: "Ray at \(address.absoluteString) already has a job under submission id \(id) "
            + "(\(state.map { "\($0)" } ?? "no state")); a new attempt takes a new id, so another driver submitted this key at the same moment: build again")
    }

    /// One past the highest attempt of `key` Ray knows in any state (one `GET /api/jobs/`), or `attempt` if later.
    public func nextAttempt(key: String, from attempt: Int) throws -> Int {
        let response = try http.send("GET", "/api/jobs/")
        guard response.status == 200 else { throw failure("listing jobs", response) }
        return RemoteAttempt.firstUnused(key: key, from: attempt, known: try Self.details(jobs: response.body).compactMap { $0["submission_id"] as? String })
    }

    /// No: a job can run `rlhf run-node s3://…` on a worker that shares nothing with the driver.
    public var needsSharedFileSystem: Bool { false }

    /// One `GET /api/jobs/` for every id; ids Ray does not list are `.unknown`.
    public func poll(_ ids: [String]) throws -> [String: RemoteJobState] {
        guard !ids.isEmpty else { return [:] }
        let response = try http.send("GET", "/api/jobs/")
        guard response.status == 200 else { throw failure("listing jobs", response) }
        return try Self.parse(jobs: response.body, ids: ids)
    }

    /// Stops each job (`POST /api/jobs/{id}/stop`); jobs already ended or gone are fine.
    public func cancel(_ ids: [String]) throws {
        for id in ids {
            let response = try http.send("POST", "/api/jobs/\(Self.escape(id))/stop")
            guard [200, 404].contains(response.status) || Self.isAlreadyEnded(response.body) else { throw failure("stopping \(id)", response) }
        }
    }

    /// The job submitted under `submissionID`, if Ray still knows it.
    public func find(submissionID: String) throws -> String? {
        try status(of: submissionID) == nil ? nil : submissionID
    }

    /// The last non-empty line of the job's log (what its entrypoint printed before `run-node` redirected it).
    public func lastLogLine(_ id: String) -> String? {
        guard let response = try? http.send("GET", "/api/jobs/\(Self.escape(id))/logs"), response.status == 200,
              let logs = (try? Self.object(response.body))?["logs"] as? String else { return nil }
        return logs.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init)
    }

    /// The state of one job, nil when Ray answers 404.
    private func status(of id: String) throws -> RemoteJobState? {
        try details(of: id).flatMap(Self.state(of:))
    }

    /// The details Ray keeps of one job (`GET /api/jobs/{id}`), nil when it answers 404.
    private func details(of id: String) throws -> [String: Any]? {
        let response = try http.send("GET", "/api/jobs/\(Self.escape(id))")
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw failure("looking up \(id)", response) }
        return try Self.object(response.body)
    }

    private func failure(_ what: String, _ response: RayHTTP.Response) -> EngineError {
        let text = String(decoding: response.body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return EngineError.stageFailed(node: "?", message: "Ray Jobs API at \(address.absoluteString): \(what) answered HTTP \(response.status): \(text)")
    }
}

extension RayBackend {
    /// The `POST /api/jobs/` body: the entrypoint (`cd` to the workspace when the worker shares it, then `run-node`
    /// under an optional `timeout` for `"time"`), the submission id, the job's name as metadata and the reserved resources.
    /// Ray sets `OMP_NUM_THREADS` to the entrypoint's reserved CPUs, and to 1 when none are reserved; without
    /// `"cpus"` the worker drops it and, as on Slurm or locally, uses every core it sees (OpenBLAS reads it).
    static func submission(_ request: RemoteJobRequest) throws -> [String: Any] {
        var command = request.command
        if let limit = try timeLimit(request.resources) { command = ["timeout", "--signal=TERM", "--kill-after=60", "\(limit)"] + command }
        if request.resources["cpus"] == nil { command = ["env", "-u", "OMP_NUM_THREADS"] + command }
        var body: [String: Any] = [
            "entrypoint": (request.workingDirectory.map { "cd \(quote($0)) && " } ?? "") + "exec " + command.map(quote).joined(separator: " "),
            "submission_id": request.submissionID,
            "metadata": ["name": request.name, "run_directory": request.runDirectory],
        ]
        if let cpus = request.resources["cpus"]?.doubleValue { body["entrypoint_num_cpus"] = cpus }
        if let gpus = request.resources["gpus"]?.doubleValue, gpus > 0 { body["entrypoint_num_gpus"] = gpus }
        if let memory = request.resources["memory"] { body["entrypoint_memory"] = try bytes(memory) }
        return body
    }

    /// Maps a `GET /api/jobs/` answer to the states of `ids`.
    static func parse(jobs data: Data, ids: [String]) throws -> [String: RemoteJobState] {
        var states = Dictionary(uniqueKeysWithValues: ids.map { ($0, RemoteJobState.unknown) })
        for job in try details(jobs: data) {
            guard let id = job["submission_id"] as? String, states[id] != nil, let found = state(of: job) else { continue }
            states[id] = found
        }
        return states
    }

    /// The job details of a `GET /api/jobs/` answer: a list, or an object keyed by submission id in older Rays.
    static func details(jobs data: Data) throws -> [[String: Any]] {
        let json = try JSONSerialization.jsonObject(with: data)
        if let list = json as? [[String: Any]] { return list }
        if let keyed = json as? [String: [String: Any]] {
            return keyed.map { id, job in job["submission_id"] == nil ? job.merging(["submission_id": id]) { old, _ in old } : job }
        }
        throw EngineError.stageFailed(node: "?", message: "the Ray Jobs API's job list is neither a list nor an object")
    }

    /// A job's state from its details (`status`: PENDING, RUNNING, STOPPED, SUCCEEDED, FAILED; `message` says why).
    static func state(of job: [String: Any]) -> RemoteJobState? {
        guard let status = job["status"] as? String else { return nil }
        switch status {
        case "PENDING": return .queued
        case "RUNNING": return .running
        default:
            // The first line only: a failed job's message goes on with its last logs.
            let line = (job["message"] as? String)?.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let message = line.count > 200 ? String(line.prefix(200)) + "…" : line
            return .ended(message.isEmpty ? status : "\(status): \(message)")
        }
    }

    /// Bytes for `"memory"`: Slurm's spelling (`512M`, `8G`, `1T`; a bare number is MiB) or a byte count in JSON.
    static func bytes(_ value: JSONValue) throws -> Int64 {
        if let megabytes = value.intValue { return try product(megabytes, 1 << 20, value) }
        guard let text = value.stringValue?.trimmingCharacters(in: .whitespaces).uppercased(), let last = text.last else { throw badMemory(value) }
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        let (digits, unit) = last.isNumber ? (text, Int64(1 << 20)) : (String(text.dropLast()), units[last] ?? 0)
        guard unit > 0, let amount = Int64(digits), amount > 0 else { throw badMemory(value) }
        return try product(amount, unit, value)
    }

    /// Seconds for `"time"` in Slurm's formats (`MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`), or nil without one.
    static func timeLimit(_ resources: [String: JSONValue]) throws -> Int64? {
        guard let value = resources["time"] else { return nil }
        if let minutes = value.intValue, minutes > 0, minutes < 100_000_000 { return minutes * 60 }
        guard let text = value.stringValue else { throw badTime(value) }
        let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard dayParts.count <= 2 else { throw badTime(value) }
        let days = dayParts.count == 2 ? Int64(dayParts[0]) : 0
        let fields = dayParts.last!.split(separator: ":", omittingEmptySubsequences: false).map { Int64($0) }
        guard let days, !fields.isEmpty, fields.count <= 3, fields.allSatisfy({ ($0 ?? -1) >= 0 }) else { throw badTime(value) }
        let numbers = fields.map { $0! }
        // Bounded before any product, so no arithmetic on them can overflow.
        guard days < 100_000, numbers.allSatisfy({ $0 < 100_000_000 }) else { throw badTime(value) }
        let clock: Int64
        switch (dayParts.count, numbers.count) {
        case (1, 1): clock = numbers[0] * 60
        case (1, 2): clock = numbers[0] * 60 + numbers[1]
        case (2, 1): clock = numbers[0] * 3600
        case (2, 2): clock = numbers[0] * 3600 + numbers[1] * 60
        default: clock = numbers[0] * 3600 + numbers[1] * 60 + numbers[2]
        }
        let total = days * 86_400 + clock
        guard total > 0 else { throw badTime(value) }
        return total
    }

    private static func product(_ amount: Int64, _ unit: Int64, _ value: JSONValue) throws -> Int64 {
        let (bytes, overflow) = amount.multipliedReportingOverflow(by: unit)
        guard amount > 0, !overflow else { throw badMemory(value) }
        return bytes
    }

    private static func badMemory(_ value: JSONValue) -> EngineError {
        .stageFailed(node: "?", message: "resources.memory \(value.canonical) is not a size; write e.g. \"512M\", \"8G\" or a number of MiB")
    }

    private static func badTime(_ value: JSONValue) -> EngineError {
        .stageFailed(node: "?", message: "resources.time \(value.canonical) is not a time limit; write minutes, \"HH:MM:SS\" or \"D-HH:MM:SS\" as for Slurm")
    }

    /// Whether a refused stop says the job had already ended.
    static func isAlreadyEnded(_ body: Data) -> Bool {
        let text = String(decoding: body, as: UTF8.self)
        return text.contains("terminal") || text.contains("already")
    }

    /// A JSON object from `data`, or an error naming what came instead.
    static func object(_ data: Data) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EngineError.stageFailed(node: "?", message: "the Ray Jobs API answered with something other than a JSON object: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        return object
    }

    private static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }

    private static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
