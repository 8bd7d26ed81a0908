import Foundation
import SafeTensors
import XCTest

/// Every way a container can be malformed gives its own error, never a trap.
final class SafeTensorsMalformedTests: XCTestCase {
    private let source = "bad.safetensors"

    /// A container with `header` as JSON text (padded by nothing) and `dataSize` bytes of data.
    private func container(_ header: String, dataSize: Int = 0, length: UInt64? = nil) -> Data {
        var bytes = Data()
        var prefix = (length ?? UInt64(header.utf8.count)).littleEndian
        withUnsafeBytes(of: &prefix) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(header.utf8))
        bytes.append(contentsOf: (0..<dataSize).map { UInt8(truncatingIfNeeded: $0) })
        return bytes
    }

    private func error(_ data: Data, file: StaticString = #filePath, line: UInt = #line) -> SafeTensorsError? {
        do {
            _ = try SafeTensorsFile(data: data, source: source)
            XCTFail("accepted a malformed container", file: file, line: line)
        } catch let error as SafeTensorsError {
            XCTAssertTrue(error.description.contains(source), "\(error) does not name the file", file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected error type \(error)", file: file, line: line)
        }
        return nil
    }

    private func entry(_ dtype: String = "\"F32\"", _ shape: String = "[1]", _ offsets: String = "[0,4]") -> String {
        "{\"dtype\":\(dtype),\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    /// Fewer than 8 bytes cannot hold the header length.
    func testTooShortForLengthPrefix() {
        XCTAssertEqual(error(Data()), .fileTooShort(file: source, byteCount: 0))
        XCTAssertEqual(error(Data([1, 0, 0, 0, 0, 0, 0])), .fileTooShort(file: source, byteCount: 7))
    }

    /// A header length past the file or over the limit is rejected before allocating.
    func testHeaderLengthBeyondFileOrAbsurd() {
        XCTAssertEqual(error(container("{}", length: 100)),
                       .headerBeyondFile(file: source, headerLength: 100, available: 2))
        XCTAssertEqual(error(container("{}", length: .max)),
                       .headerTooLarge(file: source, headerLength: .max, limit: SafeTensorsFile.maxHeaderLength))
        XCTAssertEqual(error(container("{}", length: 1 << 40)),
                       .headerTooLarge(file: source, headerLength: 1 << 40, limit: SafeTensorsFile.maxHeaderLength))
    }

    /// Invalid UTF-8 in the header is reported with its offset.
    func testHeaderNotUTF8() {
        var bytes = container("{\"a\":1}")
        bytes[10] = 0xFF
        XCTAssertEqual(error(bytes), .headerNotUTF8(file: source, byteOffset: 2))
    }

    /// Syntax errors, trailing junk and hostile nesting are JSON errors, not crashes.
    func testHeaderNotJSON() {
        for header in ["{\"a\":", "{\"a\":1,}", "{} x", "{'a':1}", "{\"a\":01}", "{\"a\":\"\\q\"}", "",
                       "{\"a\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"] {
            guard case .headerNotJSON? = error(container(header)) else {
                return XCTFail("\(header.prefix(20)) not reported as invalid JSON")
            }
        }
        guard case let .headerNotJSON(_, offset, reason)? = error(container("{\"a\": tru}")) else {
            return XCTFail("bad literal not reported")
        }
        XCTAssertEqual(offset, 9)
        XCTAssertTrue(reason.contains("true"))
    }

    /// A header that is JSON but not an object is rejected.
    func testHeaderNotObject() {
        XCTAssertEqual(error(container("[1,2]")), .headerNotObject(file: source))
        XCTAssertEqual(error(container("\"tensors\"")), .headerNotObject(file: source))
    }

    /// Each missing, ill-typed or repeated entry field is named.
    func testMissingOrIllTypedFields() {
        let cases: [(String, String)] = [
            ("{\"shape\":[1],\"data_offsets\":[0,4]}", "dtype"),
            ("{\"dtype\":\"F32\",\"data_offsets\":[0,4]}", "shape"),
            ("{\"dtype\":\"F32\",\"shape\":[1]}", "data_offsets"),
            (entry("32"), "dtype"),
            (entry("\"F32\"", "\"1\""), "shape"),
            (entry("\"F32\"", "[1.5]"), "shape"),
            (entry("\"F32\"", "[1e0]"), "shape"),
            (entry("\"F32\"", "[null]"), "shape"),
            (entry("\"F32\"", "[1]", "[0,4,8]"), "data_offsets"),
            (entry("\"F32\"", "[1]", "[-4,0]"), "data_offsets"),
            (entry("\"F32\"", "[1]", "[0,4.0]"), "data_offsets"),
            (entry("\"F32\"", "[1]", "{\"begin\":0}"), "data_offsets"),
            ("{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", "dtype"),
            ("[\"F32\",[1],[0,4]]", "(entry)"),
        ]
        for (json, field) in cases {
            guard case let .invalidEntry(_, tensor, reported, _)? = error(container("{\"w\":\(json)}", dataSize: 4)) else {
                XCTFail("\(json) not reported as an invalid entry")
                continue
            }
            XCTAssertEqual(tensor, "w")
            XCTAssertEqual(reported, field, json)
        }
    }

    /// A dtype outside the format is named.
    func testUnknownDType() {
        XCTAssertEqual(error(container("{\"w\":\(entry("\"F33\""))}", dataSize: 4)),
                       .unknownDType(file: source, tensor: "w", dtype: "F33"))
    }

    /// Negative dimensions and overflowing sizes are rejected.
    func testInvalidShapes() {
        let cases: [(String, String)] = [
            ("[2,-1]", "negative"),
            ("[99999999999999999999]", "too large"),
            ("[4294967296,4294967296]", "element count overflows"),
            ("[3074457345618258602]", "byte count overflows"),
        ]
        for (shape, fragment) in cases {
            guard case let .invalidShape(_, tensor, _, problem)? = error(container("{\"w\":\(entry("\"F32\"", shape))}",
                                                                                  dataSize: 4)) else {
                XCTFail("\(shape) not reported as an invalid shape")
                continue
            }
            XCTAssertEqual(tensor, "w")
            XCTAssertTrue(problem.contains(fragment), "\(problem) lacks \(fragment)")
        }
    }

    /// Offsets that run backwards or past the data are rejected.
    func testOffsetsReversedOrOutOfRange() {
        XCTAssertEqual(error(container("{\"w\":\(entry("\"F32\"", "[1]", "[8,4]"))}", dataSize: 8)),
                       .reversedOffsets(file: source, tensor: "w", begin: 8, end: 4))
        XCTAssertEqual(error(container("{\"w\":\(entry("\"F32\"", "[4]", "[0,16]"))}", dataSize: 8)),
                       .offsetsOutOfRange(file: source, tensor: "w", begin: 0, end: 16, dataSize: 8))
        XCTAssertEqual(error(container("{\"w\":\(entry("\"F32\"", "[1]", "[0,18446744073709551616]"))}", dataSize: 4)),
                       .offsetsOutOfRange(file: source, tensor: "w", begin: 0, end: .max, dataSize: 4))
    }

    /// The byte range must hold exactly shape × dtype size bytes.
    func testByteCountMustMatchShapeAndDType() {
        XCTAssertEqual(error(container("{\"w\":\(entry("\"F32\"", "[3]", "[0,8]"))}", dataSize: 8)),
                       .byteCountMismatch(file: source, tensor: "w", dtype: .F32, shape: [3], expected: 12, actual: 8))
        XCTAssertEqual(error(container("{\"w\":\(entry("\"BF16\"", "[2,2]", "[0,4]"))}", dataSize: 4)),
                       .byteCountMismatch(file: source, tensor: "w", dtype: .BF16, shape: [2, 2], expected: 8, actual: 4))
    }

    /// Tensors must tile the data section: no overlap, gap or trailing bytes.
    func testOverlapGapAndTrailingBytes() {
        let overlap = "{\"a\":\(entry("\"F32\"", "[2]", "[0,8]")),\"b\":\(entry("\"F32\"", "[2]", "[4,12]"))}"
        XCTAssertEqual(error(container(overlap, dataSize: 12)), .overlappingTensors(file: source, tensor: "b", other: "a"))
        let same = "{\"a\":\(entry("\"F32\"", "[1]", "[0,4]")),\"b\":\(entry("\"F32\"", "[1]", "[0,4]"))}"
        XCTAssertEqual(error(container(same, dataSize: 4)), .overlappingTensors(file: source, tensor: "b", other: "a"))
        let gap = "{\"a\":\(entry("\"F32\"", "[1]", "[0,4]")),\"b\":\(entry("\"F32\"", "[1]", "[8,12]"))}"
        XCTAssertEqual(error(container(gap, dataSize: 12)), .gapInData(file: source, tensor: "b", expectedBegin: 4, begin: 8))
        let leading = "{\"a\":\(entry("\"F32\"", "[1]", "[4,8]"))}"
        XCTAssertEqual(error(container(leading, dataSize: 8)), .gapInData(file: source, tensor: "a", expectedBegin: 0, begin: 4))
        XCTAssertEqual(error(container("{\"a\":\(entry())}", dataSize: 8)),
                       .trailingData(file: source, coveredEnd: 4, dataSize: 8))
        XCTAssertEqual(error(container("{}", dataSize: 3)), .trailingData(file: source, coveredEnd: 0, dataSize: 3))
    }

    /// A tensor name may appear only once.
    func testDuplicateNames() {
        let header = "{\"w\":\(entry("\"F32\"", "[1]", "[0,4]")),\"w\":\(entry("\"F32\"", "[1]", "[4,8]"))}"
        XCTAssertEqual(error(container(header, dataSize: 8)), .duplicateTensor(file: source, tensor: "w"))
    }

    /// __metadata__ must be one object of strings.
    func testMetadataMustMapStringsToStrings() {
        XCTAssertEqual(error(container("{\"__metadata__\":[\"pt\"]}")),
                       .invalidMetadata(file: source, key: nil, problem: "is an array, not an object"))
        XCTAssertEqual(error(container("{\"__metadata__\":{\"format\":1}}")),
                       .invalidMetadata(file: source, key: "format", problem: "is a number, not a string"))
        XCTAssertEqual(error(container("{\"__metadata__\":{\"format\":\"pt\",\"format\":\"tf\"}}")),
                       .invalidMetadata(file: source, key: "format", problem: "appears more than once"))
        XCTAssertEqual(error(container("{\"__metadata__\":{},\"__metadata__\":{}}")),
                       .invalidMetadata(file: source, key: nil, problem: "appears more than once"))
    }

    /// A missing file is a read error naming the path.
    func testMissingFileIsCannotRead() {
        let url = URL(fileURLWithPath: "/nonexistent/model.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: url)) { error in
            guard case let SafeTensorsError.cannotRead(file, _)? = error as? SafeTensorsError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(file, url.path)
        }
    }

    /// Every truncation of a valid file is rejected.
    func testTruncatedWriterOutputIsRejectedAtEveryLength() throws {
        var writer = SafeTensorsWriter()
        try writer.add(name: "a", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        try writer.add(name: "b", shape: [2], floats: [7, 8])
        let full = writer.serialized()
        XCTAssertNoThrow(try SafeTensorsFile(data: full, source: source))
        for length in 0..<full.count {
            XCTAssertNotNil(error(full.prefix(length)), "truncation to \(length) bytes accepted")
        }
    }
}
