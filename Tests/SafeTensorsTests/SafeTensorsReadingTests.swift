import Foundation
import SafeTensors
import XCTest

/// Reading valid containers: other writers' formatting, half-precision conversion, access errors.
final class SafeTensorsReadingTests: XCTestCase {
    private func container(_ header: String, data: [UInt8]) -> Data {
        var bytes = Data()
        var prefix = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &prefix) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(header.utf8))
        bytes.append(contentsOf: data)
        return bytes
    }

    private func littleEndian(_ values: [UInt16]) -> [UInt8] {
        values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    /// Whitespace, escapes, padding, extra fields and empty tensors as other writers emit them.
    func testHeaderFormattingOfOtherWritersIsAccepted() throws {
        let header = """
         {
          "__metadata__": {"format": "pt"},
          "caf\\u00e9": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
          "z": {"dtype": "U8", "shape": [0], "data_offsets": [4, 4]},
          "y": {"dtype": "U8", "shape": [0], "data_offsets": [4, 4], "note": "unknown fields are ignored"}
        }\("   ")
        """
        let file = try SafeTensorsFile(data: container(header, data: [0, 0, 0x80, 0x3F]), source: "pretty")
        XCTAssertEqual(file.names, ["café", "y", "z"])
        XCTAssertEqual(try file.floats("café"), [1])
        XCTAssertEqual(file.tensors["z"], SafeTensorInfo(name: "z", dtype: .U8, shape: [0], byteRange: 4..<4))
    }

    /// A file written by the reference Python library (safetensors 0.8.0, numpy) reads as written.
    func testReadsReferenceLibraryOutput() throws {
        let base64 = "yAAAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJwdCJ9LCJpIjp7ImR0eXBlIjoiSTY0Iiwic2hhcGUiOlszXSwiZGF0YV9v"
            + "ZmZzZXRzIjpbMCwyNF19LCJ3Ijp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlsyLDNdLCJkYXRhX29mZnNldHMiOlsyNCw0OF19LCJoIjp7ImR0eXBl"
            + "IjoiRjE2Iiwic2hhcGUiOlsyLDJdLCJkYXRhX29mZnNldHMiOls0OCw1Nl19fQEAAAAAAAAAAgAAAAAAAAADAAAAAAAAAAAAAAAlSRI+JUmSPrdt"
            + "2z4lSRI/bts2PwA8AMH/ewEA"
        let file = try SafeTensorsFile(data: XCTUnwrap(Data(base64Encoded: base64)), source: "reference")
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(file.names, ["h", "i", "w"])
        XCTAssertEqual(file.tensors["i"], SafeTensorInfo(name: "i", dtype: .I64, shape: [3], byteRange: 0..<24))
        XCTAssertEqual(try file.floats("w", expectedShape: [2, 3]).map(\.bitPattern),
                       [0, 0x3E12_4925, 0x3E92_4925, 0x3EDB_6DB7, 0x3F12_4925, 0x3F36_DB6E])
        XCTAssertEqual(try file.floats("h", expectedShape: [2, 2]), [1, -2.5, 65504, 0x1p-24])
    }

    /// F16 and BF16 convert to the exact Float values, specials included.
    func testHalfPrecisionConvertsExactly() throws {
        let f16: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x03FF, 0x7BFF, 0x7C00, 0xFC00, 0x8000, 0x3555]
        let expected16: [Float] = [1, -2, 0x1p-24, 0x3FFp-24, 65504, .infinity, -.infinity, -0.0, 0x1.554p-2]
        let bf16: [UInt16] = [0x3F80, 0xC049, 0x0001, 0x7F80]
        let expectedBF16: [Float] = [1, -3.140625, Float(bitPattern: 0x0001_0000), .infinity]
        let header = "{\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[18,26]},"
            + "\"h\":{\"dtype\":\"F16\",\"shape\":[3,3],\"data_offsets\":[0,18]}}"
        let file = try SafeTensorsFile(data: container(header, data: littleEndian(f16 + bf16)), source: "half")
        XCTAssertEqual(try file.floats("h", expectedShape: [3, 3]).map(\.bitPattern), expected16.map(\.bitPattern))
        XCTAssertEqual(try file.floats("b").map(\.bitPattern), expectedBF16.map(\.bitPattern))
        let nan = try SafeTensorsFile(data: container("{\"n\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[0,2]}}",
                                                      data: littleEndian([0x7E01])), source: "nan")
        XCTAssertTrue(try nan.floats("n")[0].isNaN)
    }

    /// A Data slice not starting at index 0 reads correctly.
    func testDataSliceWithNonZeroStartIndex() throws {
        var writer = SafeTensorsWriter()
        try writer.add(name: "w", shape: [2], floats: [3, 4])
        let padded = Data([9, 9, 9]) + writer.serialized()
        let slice = padded.dropFirst(3)
        XCTAssertNotEqual(slice.startIndex, 0)
        XCTAssertEqual(try SafeTensorsFile(data: slice, source: "slice").floats("w"), [3, 4])
    }

    /// Missing tensors, wrong dtype, wrong shape and wrong buffer size are errors.
    func testAccessErrors() throws {
        let header = "{\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[4,12]}}"
        let file = try SafeTensorsFile(data: container(header, data: Array(repeating: 0, count: 12)), source: "f")
        XCTAssertThrowsError(try file.floats("missing")) {
            XCTAssertEqual($0 as? SafeTensorsError, .tensorNotFound(file: "f", tensor: "missing", available: ["i", "w"]))
        }
        XCTAssertThrowsError(try file.floats("i")) {
            XCTAssertEqual($0 as? SafeTensorsError,
                           .dtypeMismatch(file: "f", tensor: "i", expected: "F32, F16 or BF16", actual: .I32))
        }
        XCTAssertThrowsError(try file.floats("w", expectedShape: [1, 2])) {
            XCTAssertEqual($0 as? SafeTensorsError, .shapeMismatch(file: "f", tensor: "w", expected: [1, 2], actual: [2, 1]))
        }
        var buffer = [Float](repeating: 0, count: 3)
        XCTAssertThrowsError(try buffer.withUnsafeMutableBufferPointer {
            try file.copyFloats("w", expectedShape: nil, into: $0)
        }) {
            XCTAssertEqual($0 as? SafeTensorsError, .bufferSizeMismatch(file: "f", tensor: "w", expected: 2, actual: 3))
        }
        XCTAssertEqual(try file.floats("w", expectedShape: [2, 1]), [0, 0])
    }

    /// Descriptions name the file, the tensor and a fix.
    func testErrorDescriptionsNameFileTensorAndFix() {
        let error = SafeTensorsError.shapeMismatch(file: "dir/model.safetensors", tensor: "lm_head.weight",
                                                   expected: [262, 128], actual: [262, 64])
        XCTAssertTrue(error.description.contains("dir/model.safetensors"))
        XCTAssertTrue(error.description.contains("lm_head.weight"))
        XCTAssertTrue(error.description.contains("[262, 128]"))
        XCTAssertTrue(error.description.contains("config.json"))
    }
}
