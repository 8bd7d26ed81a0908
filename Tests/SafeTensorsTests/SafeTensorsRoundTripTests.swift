import Foundation
import SafeTensors
import XCTest

/// Writer output: exact layout, determinism, and bit-exact reading back.
final class SafeTensorsRoundTripTests: XCTestCase {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Values with awkward bit patterns: signed zeros, subnormals, infinities, a NaN payload.
    private let awkward: [Float] = [0, -0.0, 1, -1.5, .leastNonzeroMagnitude, -.leastNormalMagnitude,
                                    .greatestFiniteMagnitude, .infinity, -.infinity,
                                    Float(bitPattern: 0x7FC0_1234), 3.1415927, 1e-30]

    /// Written tensors read back bit for bit, awkward values and shapes included.
    func testRoundTripIsBitExact() throws {
        var writer = SafeTensorsWriter()
        writer.metadata["note"] = "quote \" backslash \\ newline \n tab \t ctrl \u{01} é"
        try writer.add(name: "b.weight", shape: [3, 4], floats: awkward)
        try writer.add(name: "a.bias", shape: [2], floats: [7, 8])
        try writer.add(name: "scalar", shape: [], floats: [42])
        try writer.add(name: "empty", shape: [0, 5], floats: [])
        let url = try temporaryDirectory().appendingPathComponent("model.safetensors")
        try writer.write(to: url)

        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.names, ["a.bias", "b.weight", "empty", "scalar"])
        XCTAssertEqual(file.metadata, writer.metadata)
        let read = try file.floats("b.weight", expectedShape: [3, 4])
        XCTAssertEqual(read.map(\.bitPattern), awkward.map(\.bitPattern))
        XCTAssertEqual(try file.floats("a.bias"), [7, 8])
        XCTAssertEqual(try file.floats("scalar", expectedShape: []), [42])
        XCTAssertEqual(try file.floats("empty", expectedShape: [0, 5]), [])
        XCTAssertEqual(file.tensors["a.bias"]?.byteRange, 0..<8)
        XCTAssertEqual(file.tensors["b.weight"]?.byteRange, 8..<56)

        var buffer = [Float](repeating: 0, count: 12)
        try buffer.withUnsafeMutableBufferPointer {
            try file.copyFloats("b.weight", expectedShape: [3, 4], into: $0)
        }
        XCTAssertEqual(buffer.map(\.bitPattern), awkward.map(\.bitPattern))
    }

    /// Insertion order does not change the bytes; the header is sorted and 8-byte aligned.
    func testWriterBytesAreDeterministicAndAligned() throws {
        func make(order: [String]) throws -> SafeTensorsWriter {
            var writer = SafeTensorsWriter()
            writer.metadata = ["z": "1", "a": "2"]
            for name in order {
                try writer.add(name: name, shape: [2], floats: [Float(name.count), 1])
            }
            return writer
        }
        let first = try make(order: ["x", "bb", "Ä"]).serialized()
        let second = try make(order: ["Ä", "x", "bb"]).serialized()
        XCTAssertEqual(first, second)

        let headerLength = first.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(headerLength % 8, 0)
        let header = String(decoding: first.dropFirst(8).prefix(headerLength), as: UTF8.self)
        let expected = #"{"__metadata__":{"a":"2","z":"1"},"#
            + #""bb":{"data_offsets":[0,8],"dtype":"F32","shape":[2]},"#
            + #""x":{"data_offsets":[8,16],"dtype":"F32","shape":[2]},"#
            + #""Ä":{"data_offsets":[16,24],"dtype":"F32","shape":[2]}}"#
        XCTAssertEqual(header.trimmingCharacters(in: .whitespaces), expected)
        XCTAssertTrue(header.hasPrefix(expected) && header.dropFirst(expected.utf8.count).allSatisfy { $0 == " " })
        XCTAssertEqual(first.count, 8 + headerLength + 24)

        let directory = try temporaryDirectory()
        try make(order: ["x", "bb", "Ä"]).write(to: directory.appendingPathComponent("one.safetensors"))
        try make(order: ["bb", "Ä", "x"]).write(to: directory.appendingPathComponent("two.safetensors"))
        XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent("one.safetensors")),
                       try Data(contentsOf: directory.appendingPathComponent("two.safetensors")))
        XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent("one.safetensors")), first)
    }

    /// The default metadata is what transformers requires.
    func testDefaultMetadataIsPyTorchFormat() throws {
        let file = try SafeTensorsFile(data: SafeTensorsWriter().serialized(), source: "empty")
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertTrue(file.tensors.isEmpty)
    }

    /// Writing replaces the old file and leaves no temporary behind.
    func testWriteReplacesExistingFileAndLeavesNoTemporaries() throws {
        let directory = try temporaryDirectory()
        let url = directory.appendingPathComponent("model.safetensors")
        try Data("old".utf8).write(to: url)
        var writer = SafeTensorsWriter()
        try writer.add(name: "w", shape: [1], floats: [5])
        try writer.write(to: url)
        XCTAssertEqual(try SafeTensorsFile(contentsOf: url).floats("w"), [5])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.safetensors"])
    }

    /// An unwritable destination is a write error naming the file.
    func testWriteIntoMissingDirectoryFailsClearly() throws {
        let url = try temporaryDirectory().appendingPathComponent("no/such/dir/model.safetensors")
        XCTAssertThrowsError(try SafeTensorsWriter().write(to: url)) { error in
            guard case let SafeTensorsError.cannotWrite(file, _)? = error as? SafeTensorsError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(file, url.path)
        }
    }

    /// The writer refuses names and shapes it could not write validly.
    func testWriterRejectsBadTensors() throws {
        var writer = SafeTensorsWriter()
        try writer.add(name: "w", shape: [2], floats: [1, 2])
        let cases: [(String, [Int], [Float], String)] = [
            ("w", [2], [1, 2], "already added"),
            ("", [1], [1], "empty"),
            ("__metadata__", [1], [1], "reserved"),
            ("neg", [-1, -2], [1, 2], "negative"),
            ("count", [2, 2], [1, 2, 3], "holds 4 elements but 3"),
            ("huge", [Int.max, 3], [], "overflows"),
        ]
        for (name, shape, floats, fragment) in cases {
            XCTAssertThrowsError(try writer.add(name: name, shape: shape, floats: floats)) { error in
                guard case let SafeTensorsError.invalidTensor(tensor, problem)? = error as? SafeTensorsError else {
                    return XCTFail("unexpected \(error)")
                }
                XCTAssertEqual(tensor, name)
                XCTAssertTrue(problem.contains(fragment), "\(problem) lacks \(fragment)")
            }
        }
    }
}
