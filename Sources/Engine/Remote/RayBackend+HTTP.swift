import EngineCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Blocking JSON requests to the Ray dashboard through Foundation's URLSession (libcurl on Linux). The backend
/// runs on the dispatcher's polling thread and the build thread, which wait for the answer anyway.
struct RayHTTP: @unchecked Sendable {
    /// Status code and body of an answer.
    struct Response {
        /// HTTP status code.
        var status: Int
        /// Body bytes.
        var body: Data
    }

    /// The dashboard's base URL (no trailing slash).
    let base: URL
    private let session: URLSession

    /// A client for `base`; a request that gets no answer within `timeout` seconds fails.
    init(base: URL, timeout: Double = 30) {
        self.base = base
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: configuration)
    }

    /// Sends `method path` with an optional JSON body and waits for the answer; an unreachable dashboard throws.
    func send(_ method: String, _ path: String, body: Data? = nil) throws -> Response {
        guard let url = URL(string: base.absoluteString + path) else {
            throw EngineError.stageFailed(node: "?", message: "cannot form a Ray Jobs API URL from \(base.absoluteString) and \(path)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let answer = Answer()
        session.dataTask(with: request) { data, response, error in
            answer.set(data: data, status: (response as? HTTPURLResponse)?.statusCode, error: error)
        }.resume()
        let (data, status, error) = answer.wait()
        guard let status else {
            throw EngineError.stageFailed(node: "?", message: "cannot reach the Ray dashboard at \(base.absoluteString) (\(method) \(path)): "
                + "\(error.map { $0.localizedDescription } ?? "no answer"); start Ray with `ray start --head --dashboard-host 127.0.0.1` "
                + "or pass its address with --ray-address or RAY_ADDRESS")
        }
        return Response(status: status, body: data ?? Data())
    }

    /// What a data task's completion handler hands over to the waiting thread.
    private final class Answer: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var value: (Data?, Int?, Error?) = (nil, nil, nil)

        func set(data: Data?, status: Int?, error: Error?) {
            value = (data, status, error)
            done.signal()
        }

        func wait() -> (Data?, Int?, Error?) {
            done.wait()
            return value
        }
    }
}
