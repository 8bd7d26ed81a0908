import Foundation
import XCTest
@testable import S3

/// The signer against AWS's published SigV4 vectors (`Fixtures/sigv4-vectors.json`) and the credential lookup.
final class SigV4SignerTests: XCTestCase {
    private struct Vector: Decodable {
        var name, accessKeyId, secretAccessKey, region, service, amzDate, method, path, payload, authorization: String
        var query: [[String]]
        var headers: [[String]]
        var canonicalRequest: String?
    }

    private struct Fixture: Decodable {
        var vectors: [Vector]
    }

    private func vectors() throws -> [Vector] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/sigv4-vectors.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)).vectors
    }

    func testPublishedVectorsSignIdentically() throws {
        let all = try vectors()
        XCTAssertEqual(all.count, 8)
        for vector in all {
            let signer = SigV4Signer(credentials: S3Credentials(accessKeyId: vector.accessKeyId, secretAccessKey: vector.secretAccessKey),
                                     region: vector.region, service: vector.service)
            let request = SigV4Request(method: vector.method, path: vector.path, query: vector.query.map { ($0[0], $0[1]) },
                                       headers: vector.headers.map { ($0[0], $0[1]) }, payloadHash: SigV4Signer.hexSHA256(Data(vector.payload.utf8)))
            if let expected = vector.canonicalRequest {
                XCTAssertEqual(signer.canonicalRequest(request).text, expected, vector.name)
            }
            XCTAssertEqual(signer.authorization(request, amzDate: vector.amzDate), vector.authorization, vector.name)
        }
    }

    func testSignAddsTheDateAndTheSessionToken() {
        let signer = SigV4Signer(credentials: S3Credentials(accessKeyId: "AKID", secretAccessKey: "secret", sessionToken: "token"), region: "eu-west-1")
        let request = SigV4Request(method: "GET", path: "/b/k", headers: [("Host", "127.0.0.1:9000")], payloadHash: SigV4Signer.hexSHA256(Data()))
        let headers = Dictionary(uniqueKeysWithValues: signer.sign(request, date: Date(timeIntervalSince1970: 1_440_938_160)).map { ($0.name, $0.value) })
        XCTAssertEqual(headers["X-Amz-Date"], "20150830T123600Z")
        XCTAssertEqual(headers["X-Amz-Security-Token"], "token")
        XCTAssertTrue(headers["Authorization"]!.contains("/20150830/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token,"))
    }

    func testCredentialsComeFromTheEnvironmentThenTheSharedFile() throws {
        XCTAssertEqual(S3Credentials.resolve(environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S", "HOME": "/nonexistent"]),
                       S3Credentials(accessKeyId: "A", secretAccessKey: "S"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-aws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\n# ci\n[ci]\naws_access_key_id=C\naws_secret_access_key=CS\naws_session_token=T\n"
            .write(to: directory.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try "[default]\nregion = eu-central-1\n[profile ci]\nregion = us-west-2\n".write(to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        let files = ["AWS_SHARED_CREDENTIALS_FILE": directory.path + "/credentials", "AWS_CONFIG_FILE": directory.path + "/config", "HOME": "/nonexistent"]
        XCTAssertEqual(S3Credentials.resolve(environment: files), S3Credentials(accessKeyId: "D", secretAccessKey: "DS"))
        XCTAssertEqual(S3Credentials.resolve(environment: files.merging(["AWS_PROFILE": "ci"]) { $1 }), S3Credentials(accessKeyId: "C", secretAccessKey: "CS", sessionToken: "T"))
        XCTAssertEqual(S3Credentials.region(environment: files), "eu-central-1")
        XCTAssertEqual(S3Credentials.region(environment: files.merging(["AWS_PROFILE": "ci"]) { $1 }), "us-west-2")
        XCTAssertEqual(S3Credentials.region(environment: files.merging(["AWS_REGION": "ap-south-1"]) { $1 }), "ap-south-1")
        XCTAssertNil(S3Credentials.resolve(environment: ["HOME": "/nonexistent"]))
    }
}
