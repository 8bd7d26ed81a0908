import Crypto
import Foundation

/// One HTTP request as AWS Signature Version 4 sees it.
public struct SigV4Request: Sendable {
    /// `GET`, `PUT`, `HEAD`, `POST`.
    public var method: String
    /// The path as sent, already URI-encoded (`/bucket/ac/0123`).
    public var path: String
    /// Query parameters, unencoded, in any order.
    public var query: [(name: String, value: String)]
    /// Headers to sign, in any order and case (`host` and `x-amz-date` are added by the signer when absent).
    public var headers: [(name: String, value: String)]
    /// Hex SHA-256 of the body (`SigV4Signer.hexSHA256(Data())` for none), or `UNSIGNED-PAYLOAD`.
    public var payloadHash: String

    /// Creates a request.
    public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)], payloadHash: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }
}

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`): the canonical request, the string to sign and the
/// `Authorization` header, through swift-crypto's SHA-256 and HMAC. Checked against AWS's published test vectors.
public struct SigV4Signer: Sendable {
    /// The access key, secret and optional session token.
    public var credentials: S3Credentials
    /// Region (`us-east-1`).
    public var region: String
    /// Service (`s3`).
    public var service: String

    /// Creates a signer.
    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// `20150830T123600Z` for `date`.
    public static func amzDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// Lower-case hex SHA-256 of `data`.
    public static func hexSHA256<D: DataProtocol>(_ data: D) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The headers to send: `request`'s plus `x-amz-date`, the session token when there is one, and `Authorization`.
    public func sign(_ request: SigV4Request, date: Date) -> [(name: String, value: String)] {
        var request = request
        let stamp = Self.amzDate(date)
        if !request.headers.contains(where: { $0.name.lowercased() == "x-amz-date" }) { request.headers.append(("X-Amz-Date", stamp)) }
        if let token = credentials.sessionToken, !request.headers.contains(where: { $0.name.lowercased() == "x-amz-security-token" }) {
            request.headers.append(("X-Amz-Security-Token", token))
        }
        return request.headers + [("Authorization", authorization(request, amzDate: stamp))]
    }

    /// The `Authorization` header value for `request` at `amzDate` (`yyyyMMddTHHmmssZ`).
    public func authorization(_ request: SigV4Request, amzDate: String) -> String {
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let (canonical, signedHeaders) = canonicalRequest(request)
        let toSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hexSHA256(Data(canonical.utf8))].joined(separator: "\n")
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: key).map { String(format: "%02x", $0) }.joined()
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// The canonical request and the signed-headers list (S3 style: the path is not normalised or encoded twice).
    public func canonicalRequest(_ request: SigV4Request) -> (text: String, signedHeaders: String) {
        var headers: [String: [String]] = [:]
        for (name, value) in request.headers {
            let collapsed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            headers[name.lowercased(), default: []].append(collapsed)
        }
        let names = headers.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(headers[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let query = request.query.map { (Self.encode($0.name, keepSlash: false), Self.encode($0.value, keepSlash: false)) }
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let text = [request.method, request.path.isEmpty ? "/" : request.path, query, canonicalHeaders, signedHeaders, request.payloadHash].joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// RFC 3986 encoding as SigV4 wants it: unreserved bytes stay, everything else is `%XX` (a `/` stays in paths).
    public static func encode(_ text: String, keepSlash: Bool) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                encoded += "/"
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }
}
