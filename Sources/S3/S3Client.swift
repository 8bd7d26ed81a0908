import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What `HEAD` says about an object.
public struct S3ObjectInfo: Sendable, Equatable {
    /// Size in bytes.
    public var size: Int64
    /// The store's ETag, quotes removed.
    public var etag: String?
}

/// How a `PUT` with `If-None-Match: *` ended.
public enum S3PutOutcome: Sendable, Equatable {
    /// The object was written.
    case created
    /// An object already existed under the key (HTTP 412): the first writer won, nothing changed.
    case alreadyExists
}

/// A small blocking S3 client on Foundation's URLSession (libcurl on Linux): GET, PUT (optionally
/// `If-None-Match: *`), HEAD and DELETE of single objects, signed with `SigV4Signer`. Bodies stream from and to
/// files, so large checkpoints never sit in memory. Transport errors and 5xx answers are retried twice.
/// Thread-safe; call it from ordinary threads, never from Swift concurrency's cooperative pool.
public final class S3Client: @unchecked Sendable {
    /// Where and how requests go.
    public let configuration: S3Configuration
    /// The bucket.
    public let bucket: String
    private let session: URLSession
    private let signer: SigV4Signer?

    /// A client for `bucket` under `configuration`.
    public init(configuration: S3Configuration, bucket: String) {
        self.configuration = configuration
        self.bucket = bucket
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = 120
        sessionConfiguration.timeoutIntervalForResource = 6 * 3600
        sessionConfiguration.httpMaximumConnectionsPerHost = 8
        session = URLSession(configuration: sessionConfiguration)
        signer = configuration.credentials.map { SigV4Signer(credentials: $0, region: configuration.region) }
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// Size and ETag of `key`, or nil when there is no such object.
    public func head(_ key: String) throws -> S3ObjectInfo? {
        let (response, _) = try send("HEAD", key: key, body: .empty)
        if response.statusCode == 404 { return nil }
        try check(response, method: "HEAD", key: key, body: nil)
        let length = (response.value(forHTTPHeaderField: "Content-Length")).flatMap { Int64($0) } ?? 0
        return S3ObjectInfo(size: length, etag: response.value(forHTTPHeaderField: "ETag")?.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
    }

    /// The bytes of `key`, or nil when there is no such object (for small objects: entries, manifests).
    public func get(_ key: String) throws -> Data? {
        let (response, data) = try send("GET", key: key, body: .empty)
        if response.statusCode == 404 { return nil }
        try check(response, method: "GET", key: key, body: data)
        return data ?? Data()
    }

    /// Streams `key` into a new file at `path`; false (and no file) when there is no such object.
    public func download(_ key: String, to path: String) throws -> Bool {
        let (response, _) = try send("GET", key: key, body: .empty, downloadTo: path)
        if response.statusCode == 404 {
            try? FileManager.default.removeItem(atPath: path)
            return false
        }
        if !(200..<300).contains(response.statusCode) {
            let data = FileManager.default.contents(atPath: path)
            try? FileManager.default.removeItem(atPath: path)
            try check(response, method: "GET", key: key, body: data)
        }
        return true
    }

    /// Writes `data` at `key`; with `ifNoneMatch`, only when no object exists there yet.
    @discardableResult
    public func put(_ key: String, data: Data, ifNoneMatch: Bool = false) throws -> S3PutOutcome {
        try put(key, body: .data(data), sha256: SigV4Signer.hexSHA256(data), length: Int64(data.count), ifNoneMatch: ifNoneMatch)
    }

    /// Streams the file at `path`, whose hex SHA-256 is `sha256`, to `key`; with `ifNoneMatch`, only when no object exists there yet.
    @discardableResult
    public func put(_ key: String, file path: String, sha256: String, ifNoneMatch: Bool = false) throws -> S3PutOutcome {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = attributes[.size] as? NSNumber else {
            throw S3Error.io(path: path, message: "cannot read the file to upload")
        }
        return try put(key, body: .file(path), sha256: sha256, length: size.int64Value, ifNoneMatch: ifNoneMatch)
    }

    /// Deletes `key` (a missing object is fine).
    public func delete(_ key: String) throws {
        let (response, data) = try send("DELETE", key: key, body: .empty)
        if response.statusCode == 404 { return }
        try check(response, method: "DELETE", key: key, body: data)
    }

    private func put(_ key: String, body: Body, sha256: String, length: Int64, ifNoneMatch: Bool) throws -> S3PutOutcome {
        var headers: [(name: String, value: String)] = [("Content-Length", String(length)), ("Content-Type", "application/octet-stream")]
        if ifNoneMatch { headers.append(("If-None-Match", "*")) }
        let (response, data) = try send("PUT", key: key, body: body, payloadHash: sha256, extraHeaders: headers)
        // 409 ConditionalRequestConflict: a concurrent conditional write to the same key; one of them wins.
        if ifNoneMatch && (response.statusCode == 412 || response.statusCode == 409) { return .alreadyExists }
        try check(response, method: "PUT", key: key, body: data)
        return .created
    }

    /// A request body.
    private enum Body {
        case empty
        case data(Data)
        case file(String)
    }

    /// The URL and the path as signed for `key`.
    func address(of key: String) -> (url: URL, path: String, host: String) {
        let encodedKey = SigV4Signer.encode(key, keepSlash: true)
        let base = URL(string: configuration.endpoint)!
        var host = base.host!
        if let port = base.port { host += ":\(port)" }
        let basePath = base.path.hasSuffix("/") ? String(base.path.dropLast()) : base.path
        let path: String
        if configuration.pathStyle {
            path = basePath + "/" + SigV4Signer.encode(bucket, keepSlash: false) + "/" + encodedKey
        } else {
            host = bucket + "." + host
            path = basePath + "/" + encodedKey
        }
        return (URL(string: "\(base.scheme!)://\(host)\(path)")!, path, host)
    }

    /// Sends one request (retrying transport failures and 5xx twice) and returns the response and, unless streamed to a file, the body.
    private func send(_ method: String, key: String, body: Body, payloadHash: String? = nil, extraHeaders: [(name: String, value: String)] = [],
                      downloadTo: String? = nil) throws -> (HTTPURLResponse, Data?) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let (response, data) = try sendOnce(method, key: key, body: body, payloadHash: payloadHash, extraHeaders: extraHeaders, downloadTo: downloadTo)
                if response.statusCode >= 500 && attempt < 3 {
                    Thread.sleep(forTimeInterval: 0.2 * Double(attempt * attempt))
                    continue
                }
                return (response, data)
            } catch let error as S3Error {
                guard case .transport = error, attempt < 3 else { throw error }
                Thread.sleep(forTimeInterval: 0.2 * Double(attempt * attempt))
            }
        }
    }

    private func sendOnce(_ method: String, key: String, body: Body, payloadHash: String?, extraHeaders: [(name: String, value: String)],
                          downloadTo: String?) throws -> (HTTPURLResponse, Data?) {
        let (url, path, host) = address(of: key)
        var request = URLRequest(url: url)
        request.httpMethod = method
        let hash = payloadHash ?? SigV4Signer.hexSHA256(Data())
        var headers: [(name: String, value: String)] = [("Host", host), ("X-Amz-Content-Sha256", hash)]
        if let signer {
            headers = signer.sign(SigV4Request(method: method, path: path, headers: headers, payloadHash: hash), date: Date())
        }
        for (name, value) in headers + extraHeaders where name != "Host" {
            request.setValue(value, forHTTPHeaderField: name)
        }
        let outcome = TaskOutcome()
        let task: URLSessionTask
        switch (body, downloadTo) {
        case let (_, destination?):
            task = session.downloadTask(with: request) { location, response, error in
                var failure = error
                if let location, error == nil {
                    try? FileManager.default.removeItem(atPath: destination)
                    do {
                        try FileManager.default.moveItem(at: location, to: URL(fileURLWithPath: destination))
                    } catch {
                        failure = S3Error.io(path: destination, message: "cannot move the download into place: \(error)")
                    }
                }
                outcome.finish(response, nil, failure)
            }
        case let (.data(data), nil):
            task = session.uploadTask(with: request, from: data) { outcome.finish($1, $0, $2) }
        case let (.file(file), nil):
            task = session.uploadTask(with: request, fromFile: URL(fileURLWithPath: file)) { outcome.finish($1, $0, $2) }
        case (.empty, nil):
            task = session.dataTask(with: request) { outcome.finish($1, $0, $2) }
        }
        task.resume()
        outcome.done.wait()
        if let error = outcome.error as? S3Error { throw error }
        if let error = outcome.error { throw S3Error.transport(method: method, url: url.absoluteString, message: error.localizedDescription) }
        guard let response = outcome.response as? HTTPURLResponse else {
            throw S3Error.transport(method: method, url: url.absoluteString, message: "no HTTP response")
        }
        return (response, outcome.data)
    }

    /// Throws the store's error for a response outside 2xx, with the `<Code>` and `<Message>` of its XML body.
    private func check(_ response: HTTPURLResponse, method: String, key: String, body: Data?) throws {
        guard !(200..<300).contains(response.statusCode) else { return }
        let text = body.map { String(decoding: $0.prefix(4096), as: UTF8.self) } ?? ""
        throw S3Error.http(method: method, key: key, status: response.statusCode, code: Self.element("Code", in: text), message: Self.element("Message", in: text))
    }

    /// The text of the first `<name>…</name>` in `xml`.
    static func element(_ name: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(name)>"), let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex) else { return nil }
        return String(xml[start.upperBound..<end.lowerBound])
    }
}

/// What a URLSession task's completion handler delivered, handed to the waiting thread through a semaphore.
private final class TaskOutcome: @unchecked Sendable {
    /// Signalled once the task finished.
    let done = DispatchSemaphore(value: 0)
    /// The response, the body (not for downloads) and the error, written once before `done` is signalled.
    private(set) var response: URLResponse?
    private(set) var data: Data?
    private(set) var error: Error?

    /// Records the task's result and wakes the waiting thread.
    func finish(_ response: URLResponse?, _ data: Data?, _ error: Error?) {
        self.response = response
        self.data = data
        self.error = error
        done.signal()
    }
}
