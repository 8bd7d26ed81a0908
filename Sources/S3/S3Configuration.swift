import Foundation

/// How to reach a store: endpoint, region, addressing style and credentials, found as the AWS tools find them.
public struct S3Configuration: Sendable, Equatable {
    /// Scheme, host and port (`https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`), no trailing `/`.
    public var endpoint: String
    /// Region the requests are signed for.
    public var region: String
    /// Path-style addressing (`endpoint/bucket/key`) instead of virtual-hosted (`bucket.endpoint/key`).
    public var pathStyle: Bool
    /// Credentials; nil sends unsigned requests (a public bucket).
    public var credentials: S3Credentials?

    /// Creates a configuration.
    public init(endpoint: String, region: String, pathStyle: Bool, credentials: S3Credentials?) {
        self.endpoint = endpoint
        self.region = region
        self.pathStyle = pathStyle
        self.credentials = credentials
    }

    /// The configuration `environment` describes:
    /// - endpoint: `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the profile's `endpoint_url` in the config file, else AWS's
    ///   regional endpoint;
    /// - addressing: the profile's `addressing_style` (`path`, `virtual`), else path style for a custom endpoint (MinIO,
    ///   moto, Ceph; R2 and GCS accept it too) and virtual-hosted style for AWS;
    /// - region and credentials: `S3Credentials.region` and `S3Credentials.resolve`.
    /// The profile is `AWS_PROFILE` (default `default`) of `AWS_CONFIG_FILE` (default `~/.aws/config`); keys nested
    /// under `s3 =` in a profile count as the profile's own.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> S3Configuration {
        let region = S3Credentials.region(environment: environment)
        let profile = S3Credentials.profileSettings(environment: environment)
        let custom = [environment["AWS_ENDPOINT_URL_S3"], environment["AWS_ENDPOINT_URL"], profile["endpoint_url"]]
            .compactMap { $0 }.first { !$0.isEmpty }
        var endpoint = custom ?? "https://s3.\(region).amazonaws.com"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        guard let url = URL(string: endpoint), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw S3Error.invalidURL(endpoint, problem: "an S3 endpoint looks like https://host[:port] (set AWS_ENDPOINT_URL or the profile's endpoint_url)")
        }
        let pathStyle: Bool
        switch profile["addressing_style"]?.lowercased() {
        case "path"?: pathStyle = true
        case "virtual"?: pathStyle = false
        default: pathStyle = custom != nil
        }
        return S3Configuration(endpoint: endpoint, region: region, pathStyle: pathStyle, credentials: S3Credentials.resolve(environment: environment))
    }
}

extension S3Credentials {
    /// The chosen profile's section of the config file (`[default]` or `[profile NAME]`), empty when there is none.
    static func profileSettings(environment: [String: String]) -> [String: String] {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let profile = environment["AWS_PROFILE"] ?? "default"
        guard let text = try? String(contentsOfFile: environment["AWS_CONFIG_FILE"] ?? home + "/.aws/config", encoding: .utf8) else { return [:] }
        let sections = iniSections(text)
        return sections[profile == "default" ? "default" : "profile " + profile] ?? sections[profile] ?? [:]
    }
}
