import Foundation

/// An S3 access key, found as the AWS tools find it: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`,
/// else the profile `AWS_PROFILE` (default `default`) of `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`).
public struct S3Credentials: Sendable, Equatable {
    /// Access key id.
    public var accessKeyId: String
    /// Secret access key.
    public var secretAccessKey: String
    /// Session token of temporary credentials.
    public var sessionToken: String?

    /// Creates credentials.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The credentials `environment` points at, or nil when there are none (anonymous access).
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) -> S3Credentials? {
        if let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"], !id.isEmpty, !secret.isEmpty {
            return S3Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let file = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials"
        let profile = environment["AWS_PROFILE"] ?? "default"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8), let section = iniSections(text)[profile],
              let id = section["aws_access_key_id"], let secret = section["aws_secret_access_key"] else { return nil }
        return S3Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: section["aws_session_token"])
    }

    /// The region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region` in `AWS_CONFIG_FILE` (default `~/.aws/config`), else `us-east-1`.
    public static func region(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"], !region.isEmpty { return region }
        return profileSettings(environment: environment)["region"] ?? "us-east-1"
    }

    /// `[section] key = value` files as section → key → value (comments and blank lines skipped).
    static func iniSections(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            sections[current, default: [:]][line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return sections
    }
}
