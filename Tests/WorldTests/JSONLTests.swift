import XCTest
@testable import World

/// Deterministic JSONL writing (reading is the record reader's, tested in StagesTests.RecordReaderTests).
final class JSONLTests: XCTestCase {
    func testWriterIsDeterministicWithSortedKeysAndRoundTrips() throws {
        let records = [PreferenceRecord(prompt: "p/q", chosen: "é", rejected: "b\n", reason: nil, source: "annotator")]
        let data = try JSONLWriter.encode(records)
        XCTAssertEqual(String(decoding: data, as: UTF8.self),
                       #"{"chosen":"é","prompt":"p/q","rejected":"b\n","source":"annotator"}"# + "\n")
        XCTAssertEqual(try JSONLWriter.encode(records), data)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("world-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try JSONLWriter.write(records, to: url)
        XCTAssertEqual(try Data(contentsOf: url), data)
    }
}
