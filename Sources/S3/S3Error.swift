import Foundation

/// Everything the S3 client reports, with the request and the store's own words.
public enum S3Error: Error, CustomStringConvertible, Equatable {
    /// A cache or endpoint URL that cannot be used; `problem` says what to write instead.
    case invalidURL(String, problem: String)
    /// The store answered `status` (with its XML error `code` and `message` when it sent one).
    case http(method: String, key: String, status: Int, code: String?, message: String?)
    /// No answer: connection refused, DNS, TLS or a time-out.
    case transport(method: String, url: String, message: String)
    /// A local file could not be read or written.
    case io(path: String, message: String)
    /// A setting (a flag, an environment variable or a configuration file named by `source`) is unusable.
    case configuration(source: String, problem: String)

    /// A message that names the request and says what to check.
    public var description: String {
        switch self {
        case let .invalidURL(url, problem):
            return "\(url): \(problem)"
        case let .http(method, key, status, code, message):
            let detail = [code, message].compactMap { $0 }.joined(separator: ": ")
            let hint: String
            switch status {
            case 301, 307: hint = "; the bucket is in another region: set AWS_REGION or the profile's region"
            case 400 where code == "AuthorizationHeaderMalformed": hint = "; set AWS_REGION to the bucket's region"
            case 403: hint = "; check the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE) and that they may \(method == "GET" || method == "HEAD" ? "read" : "write") this bucket"
            case 404 where code == "NoSuchBucket": hint = "; create the bucket or fix the cache URL"
            default: hint = ""
            }
            return "S3 \(method) \(key): HTTP \(status)" + (detail.isEmpty ? "" : " (\(detail))") + hint
        case let .transport(method, url, message):
            return "S3 \(method) \(url): \(message); is the endpoint right (AWS_ENDPOINT_URL or the profile's endpoint_url) and reachable?"
        case let .io(path, message):
            return "\(path): \(message)"
        case let .configuration(source, problem):
            return "\(source): \(problem)"
        }
    }
}
