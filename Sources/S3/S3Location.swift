/// Where a cache lives: `s3://bucket/prefix` as a bucket and a key prefix (no leading or trailing `/`).
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    /// The bucket name.
    public var bucket: String
    /// Key prefix below which everything is stored (may be empty).
    public var prefix: String

    /// Parses `s3://bucket[/prefix]`; anything else throws an error saying what to write.
    public init(parsing url: String) throws {
        guard url.hasPrefix("s3://") else { throw S3Error.invalidURL(url, problem: "a remote cache URL looks like s3://bucket/prefix") }
        let rest = url.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty, bucket.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }) else {
            throw S3Error.invalidURL(url, problem: "the bucket name must be letters, digits, '-', '.' or '_' (s3://bucket/prefix)")
        }
        self.bucket = String(bucket)
        prefix = rest.dropFirst(bucket.count).split(separator: "/").joined(separator: "/")
    }

    /// The full key of `name` below the prefix (`prefix/name`).
    public func key(_ name: String) -> String {
        prefix.isEmpty ? name : prefix + "/" + name
    }

    /// `s3://bucket/prefix`.
    public var description: String {
        "s3://\(bucket)" + (prefix.isEmpty ? "" : "/\(prefix)")
    }
}
