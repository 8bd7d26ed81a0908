import EngineCore
@testable import FuzzTargets
import Foundation
import Model
import SafeTensors
import Stages
import World
import XCTest

/// Replays every file of `Tests/FuzzCorpus/<target>/` (seeds and every input a fuzzer ever crashed on) through
/// the same entry point `make fuzz` drives: each must succeed or throw the module's own error with a message.
final class FuzzCorpusReplayTests: XCTestCase {
    /// `Tests/FuzzCorpus`.
    private static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzCorpus")

    /// The corpus files of `target`, sorted by name.
    private func files(_ target: String) throws -> [URL] {
        let directory = Self.corpus.appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Whether `error` is one of the project's error enums and says something.
    private func wellFormed(_ error: Error) -> Bool {
        let known = error is EngineError || error is ModelError || error is SafeTensorsError || error is WorldError || error is StagesError
        return known && !String(describing: error).isEmpty
    }

    /// Replays `target`'s corpus; returns (successes, errors).
    @discardableResult
    private func replay(_ target: String, minimumFiles: Int = 2) throws -> (passed: Int, failed: Int) {
        let fuzz = try XCTUnwrap(FuzzTargets.named(target))
        let inputs = try files(target)
        XCTAssertGreaterThanOrEqual(inputs.count, minimumFiles, "Tests/FuzzCorpus/\(target) holds seeds and crashers")
        var passed = 0, failed = 0
        for url in inputs {
            do {
                try fuzz.run(Data(contentsOf: url))
                passed += 1
            } catch {
                failed += 1
                XCTAssertTrue(wellFormed(error), "\(target)/\(url.lastPathComponent): \(type(of: error)): \(error)")
            }
        }
        return (passed, failed)
    }

    func testEveryTargetHasACorpus() {
        XCTAssertEqual(Set(FuzzTargets.all.map(\.name)), ["pipeline", "records", "safetensors", "config"])
        for target in FuzzTargets.all {
            XCTAssertTrue(FileManager.default.fileExists(atPath: Self.corpus.appendingPathComponent(target.name).path), target.name)
        }
    }

    func testPipelineCorpus() throws {
        let result = try replay("pipeline")
        XCTAssertGreaterThan(result.passed, 0, "a valid seed loads")
    }

    func testRecordsCorpus() throws {
        try replay("records")
    }

    func testSafeTensorsCorpus() throws {
        let result = try replay("safetensors")
        XCTAssertGreaterThan(result.passed, 0, "a valid seed loads")
    }

    func testConfigCorpus() throws {
        let result = try replay("config")
        XCTAssertGreaterThan(result.passed, 0, "a valid seed loads")
    }

    func testRecordsTargetReadsEveryFormat() throws {
        let line = Data(#"{"prompt": "p", "response": "r", "chosen": "c", "rejected": "d"}"#.utf8)
        let valid = try FuzzTargets.readers.map { try $0.read(line) }
        XCTAssertEqual(Array(valid.prefix(3)), [1, 1, 1], "an SFT, a preference and a prompt record")
        XCTAssertEqual(Array(FuzzTargets.readers.map(\.format).prefix(3)), ["sft", "preferences", "prompts"])
    }
}
