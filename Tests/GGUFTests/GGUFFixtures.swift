import Foundation
import GGUF
import SafeTensors

/// The committed fixtures written by `bench/make_gguf_fixture.py`.
enum GGUFFixtures {
    /// `Tests/GGUFTests/Fixtures`.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The URL of fixture `name`.
    static func url(_ name: String) -> URL {
        directory.appendingPathComponent(name)
    }

    /// The bytes of fixture `name`.
    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: url(name))
    }

    /// The byte offset of a tensor info's fields (after its name) in the header of `data`.
    static func tensorInfoFieldsOffset(_ data: Data, tensor: String) -> Int {
        // The info is the name's length (8 bytes), the name, then the fields; tensor names are unique in the fixtures.
        var needle = Data()
        var length = UInt64(tensor.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { needle.append(contentsOf: $0) }
        needle.append(contentsOf: Array(tensor.utf8))
        let range = data.range(of: needle)!
        return range.upperBound - data.startIndex
    }

    /// `data` with the little-endian `value` written at `offset`.
    static func patched<T: FixedWidthInteger>(_ data: Data, at offset: Int, _ value: T) -> Data {
        var copy = data
        var little = value.littleEndian
        withUnsafeBytes(of: &little) { copy.replaceSubrange(offset..<offset + MemoryLayout<T>.size, with: $0) }
        return copy
    }
}
