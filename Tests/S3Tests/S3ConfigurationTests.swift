import Foundation
import XCTest
@testable import S3

/// Endpoint, addressing and cache-URL parsing, and the request addresses the client builds from them (no server needed).
final class S3ConfigurationTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-s3conf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func environment(config: String, _ extra: [String: String] = [:]) throws -> [String: String] {
        try config.write(to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        return ["AWS_CONFIG_FILE": directory.path + "/config", "AWS_SHARED_CREDENTIALS_FILE": directory.path + "/none", "HOME": "/nonexistent"]
            .merging(extra) { $1 }
    }

    func testAWSDefaultIsVirtualHostedInTheProfileRegion() throws {
        let configuration = try S3Configuration.resolve(environment: try environment(config: "[default]\nregion = eu-west-3\n"))
        XCTAssertEqual(configuration.endpoint, "https://s3.eu-west-3.amazonaws.com")
        XCTAssertFalse(configuration.pathStyle)
        XCTAssertNil(configuration.credentials)
        let client = S3Client(configuration: configuration, bucket: "team-cache")
        let address = client.address(of: "ci/ac/00ff")
        XCTAssertEqual(address.url.absoluteString, "https://team-cache.s3.eu-west-3.amazonaws.com/ci/ac/00ff")
        XCTAssertEqual(address.host, "team-cache.s3.eu-west-3.amazonaws.com")
        XCTAssertEqual(address.path, "/ci/ac/00ff")
    }

    func testCustomEndpointIsPathStyleAndTheEnvironmentWins() throws {
        let config = "[profile minio]\nregion = us-east-1\ns3 =\n  endpoint_url = http://10.0.0.5:9000/\n  addressing_style = virtual\n[default]\nendpoint_url = http://127.0.0.1:5000\n"
        let fromProfile = try S3Configuration.resolve(environment: try environment(config: config))
        XCTAssertEqual(fromProfile.endpoint, "http://127.0.0.1:5000")
        XCTAssertTrue(fromProfile.pathStyle)
        let client = S3Client(configuration: fromProfile, bucket: "b")
        XCTAssertEqual(client.address(of: "p/cas/ab").url.absoluteString, "http://127.0.0.1:5000/b/p/cas/ab")
        XCTAssertEqual(client.address(of: "p/cas/ab").host, "127.0.0.1:5000")

        // The nested `s3 =` block counts as the profile's own; its addressing_style overrides the custom-endpoint default.
        let nested = try S3Configuration.resolve(environment: try environment(config: config, ["AWS_PROFILE": "minio"]))
        XCTAssertEqual(nested.endpoint, "http://10.0.0.5:9000")
        XCTAssertFalse(nested.pathStyle)

        let overridden = try S3Configuration.resolve(environment: try environment(config: config, ["AWS_ENDPOINT_URL": "http://a:1", "AWS_ENDPOINT_URL_S3": "http://s3only:2"]))
        XCTAssertEqual(overridden.endpoint, "http://s3only:2")
        XCTAssertThrowsError(try S3Configuration.resolve(environment: try environment(config: "", ["AWS_ENDPOINT_URL": "localhost:9000"]))) { error in
            XCTAssertTrue("\(error)".contains("https://host[:port]"), "\(error)")
        }
    }

    func testCacheURLs() throws {
        XCTAssertEqual(try S3Location(parsing: "s3://bucket/team/rlhf/"), try S3Location(parsing: "s3://bucket//team/rlhf"))
        let location = try S3Location(parsing: "s3://bucket/team/rlhf")
        XCTAssertEqual(location.bucket, "bucket")
        XCTAssertEqual(location.key("ac/00"), "team/rlhf/ac/00")
        XCTAssertEqual(location.description, "s3://bucket/team/rlhf")
        XCTAssertEqual(try S3Location(parsing: "s3://bucket").key("cas/1"), "cas/1")
        for bad in ["https://bucket/x", "s3://", "s3:///prefix", "s3://bu cket/x"] {
            XCTAssertThrowsError(try S3Location(parsing: bad), bad)
        }
    }

    func testErrorsCarryTheStoresCodeAndAHint() {
        let xml = "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
        XCTAssertEqual(S3Client.element("Code", in: xml), "AccessDenied")
        XCTAssertEqual(S3Client.element("Message", in: xml), "Access Denied")
        XCTAssertNil(S3Client.element("RequestId", in: xml))
        let error = S3Error.http(method: "PUT", key: "p/ac/1", status: 403, code: "AccessDenied", message: "Access Denied")
        XCTAssertTrue(error.description.contains("HTTP 403 (AccessDenied: Access Denied)"), error.description)
        XCTAssertTrue(error.description.contains("may write"), error.description)
    }

    func testSHA256OfAFileStreams() throws {
        let path = directory.path + "/blob"
        var bytes = Data()
        for index in 0..<(3 << 19) / 4 { bytes.append(contentsOf: withUnsafeBytes(of: UInt32(index).littleEndian, Array.init)) }
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try S3Checksum.sha256(path: path), SigV4Signer.hexSHA256(bytes))
        XCTAssertTrue(S3Checksum.isSHA256(SigV4Signer.hexSHA256(Data())))
        XCTAssertFalse(S3Checksum.isSHA256("../" + String(repeating: "a", count: 61)))
        XCTAssertFalse(S3Checksum.isSHA256(String(repeating: "A", count: 64)))
    }
}
