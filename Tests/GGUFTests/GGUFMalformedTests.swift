import Foundation
import GGUF
import XCTest

/// Hostile and damaged files: each gives a `GGUFError` naming the problem, never a crash.
final class GGUFMalformedTests: XCTestCase {
    private var tiny = Data()

    override func setUpWithError() throws {
        tiny = try GGUFFixtures.data("tiny.gguf")
    }

    private func error(_ data: Data, file: StaticString = #filePath, line: UInt = #line) -> GGUFError? {
        do {
            let gguf = try GGUFFile(data: data, source: "bad.gguf")
            for info in gguf.tensors { _ = try gguf.floats(info) }
            XCTFail("no error", file: file, line: line)
            return nil
        } catch let error as GGUFError {
            XCTAssertTrue(error.description.hasPrefix("bad.gguf: "), error.description, file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    func testEveryTruncationIsAnError() throws {
        // Every prefix shorter than the last tensor's end: a clear error, never a trap.
        let lastEnd = 4160 + 96
        for length in stride(from: 0, to: lastEnd, by: 7) {
            guard let failure = error(tiny.prefix(length)) else { continue }
            switch failure {
            case .truncated, .badMagic, .tensorOutOfRange, .absurdCount: break
            default: XCTFail("prefix \(length): \(failure)")
            }
        }
    }

    func testTruncatedDataNamesTheTensor() {
        // f32_3d's 96 bytes end at file byte 4256; the file ends with alignment padding after it.
        guard case let .tensorOutOfRange(_, tensor, _, end, dataSize)? = error(tiny.prefix(4256 - 10)) else {
            return XCTFail("expected tensorOutOfRange")
        }
        XCTAssertEqual(tensor, "f32_3d")
        XCTAssertGreaterThan(end, dataSize)
    }

    func testBadMagicAndVersion() {
        XCTAssertEqual(error(GGUFFixtures.patched(tiny, at: 0, UInt32(0x4C4C_4747))),
                       .badMagic(file: "bad.gguf", found: Array("GGLL".utf8)))
        XCTAssertEqual(error(GGUFFixtures.patched(tiny, at: 4, UInt32(1))), .unsupportedVersion(file: "bad.gguf", version: 1))
        XCTAssertEqual(error(GGUFFixtures.patched(tiny, at: 4, UInt32(99))), .unsupportedVersion(file: "bad.gguf", version: 99))
    }

    func testHugeCountsAreRejectedBeforeAllocating() {
        guard case .absurdCount(_, "tensor count", _, _)? = error(GGUFFixtures.patched(tiny, at: 8, UInt64.max)) else {
            return XCTFail("tensor count")
        }
        guard case .absurdCount(_, "metadata count", _, _)? = error(GGUFFixtures.patched(tiny, at: 16, UInt64(1) << 40)) else {
            return XCTFail("metadata count")
        }
        // The element count of test.array.string: after the key, the value type (4) and the element type (4).
        let key = "test.array.string"
        let countOffset = GGUFFixtures.tensorInfoFieldsOffset(tiny, tensor: key) + 8
        guard case let .absurdCount(_, what, count, _)? = error(GGUFFixtures.patched(tiny, at: countOffset, UInt64(1) << 60)) else {
            return XCTFail("array count")
        }
        XCTAssertTrue(what.contains(key))
        XCTAssertEqual(count, 1 << 60)
        // A string length beyond the file.
        let stringLength = GGUFFixtures.tensorInfoFieldsOffset(tiny, tensor: "test.string") + 4
        guard case .truncated? = error(GGUFFixtures.patched(tiny, at: stringLength, UInt64.max - 3)) else {
            return XCTFail("string length")
        }
    }

    func testUnknownTypes() {
        let valueType = GGUFFixtures.tensorInfoFieldsOffset(tiny, tensor: "test.u8")
        XCTAssertEqual(error(GGUFFixtures.patched(tiny, at: valueType, UInt32(77))),
                       .unknownValueType(file: "bad.gguf", key: "test.u8", type: 77))
        // Tensor info fields: n_dims (4), dims (8 each), type (4), offset (8).
        let q8 = GGUFFixtures.tensorInfoFieldsOffset(tiny, tensor: "q8_0")
        XCTAssertEqual(error(GGUFFixtures.patched(tiny, at: q8 + 4 + 16, UInt32(31))),
                       .unknownTensorType(file: "bad.gguf", tensor: "q8_0", type: 31))
        guard case let .unsupportedTensorType(_, tensor, type)? = error(GGUFFixtures.patched(tiny, at: q8 + 4 + 16, UInt32(20))) else {
            return XCTFail("IQ4_NL has the same block shape as Q8_0 rows of 64 but no dequantiser")
        }
        XCTAssertEqual(tensor, "q8_0")
        XCTAssertEqual(type, "IQ4_NL")
    }

    func testBadOffsets() {
        let q8 = GGUFFixtures.tensorInfoFieldsOffset(tiny, tensor: "q8_0")
        let offset = q8 + 4 + 16 + 4
        XCTAssertEqual(error(GGUFFixtures.patched(tiny, at: offset, UInt64(1472 + 8))),
                       .misalignedTensor(file: "bad.gguf", tensor: "q8_0", offset: 1480, alignment: 64))
        guard case .tensorOutOfRange(_, "q8_0", _, _, _)? = error(GGUFFixtures.patched(tiny, at: offset, UInt64(1) << 40)) else {
            return XCTFail("offset beyond the file")
        }
        guard case .invalidTensorInfo(_, "q8_0", _)? = error(GGUFFixtures.patched(tiny, at: offset, UInt64.max - 63)) else {
            return XCTFail("offset overflow")
        }
        // q8_0 moved onto f16's bytes.
        guard case .overlappingTensors? = error(GGUFFixtures.patched(tiny, at: offset, UInt64(1344))) else {
            return XCTFail("overlap")
        }
    }

    func testBadDimensions() {
        let q8 = GGUFFixtures.tensorInfoFieldsOffset(tiny, tensor: "q8_0")
        guard case .invalidTensorInfo(_, "q8_0", let problem)? = error(GGUFFixtures.patched(tiny, at: q8, UInt32(9))) else {
            return XCTFail("dimension count")
        }
        XCTAssertTrue(problem.contains("9 dimensions"))
        guard case .invalidTensorInfo(_, "q8_0", let blocks)? = error(GGUFFixtures.patched(tiny, at: q8 + 4, UInt64(48))) else {
            return XCTFail("partial block")
        }
        XCTAssertTrue(blocks.contains("blocks"))
        guard case .invalidTensorInfo(_, "q8_0", _)? = error(GGUFFixtures.patched(tiny, at: q8 + 12, UInt64(1) << 62)) else {
            return XCTFail("element count overflow")
        }
    }

    func testBadAlignmentValue() {
        let alignment = GGUFFixtures.tensorInfoFieldsOffset(tiny, tensor: "general.alignment") + 4
        guard case .badAlignment? = error(GGUFFixtures.patched(tiny, at: alignment, UInt32(48))) else {
            return XCTFail("alignment 48")
        }
        guard case .badAlignment? = error(GGUFFixtures.patched(tiny, at: alignment, UInt32(0))) else {
            return XCTFail("alignment 0")
        }
    }

    func testInvalidUTF8AndBoolAndMissingFile() {
        let key = GGUFFixtures.tensorInfoFieldsOffset(tiny, tensor: "test.string") + 12
        var bad = tiny
        bad[bad.startIndex + key] = 0xFF
        guard case .invalidUTF8? = error(bad) else { return XCTFail("utf8") }
        let boolValue = GGUFFixtures.tensorInfoFieldsOffset(tiny, tensor: "test.bool") + 4
        var notBool = tiny
        notBool[notBool.startIndex + boolValue] = 7
        guard case .metadataType(_, "test.bool", _, _)? = error(notBool) else { return XCTFail("bool") }
        XCTAssertThrowsError(try GGUFFile(contentsOf: URL(fileURLWithPath: "/nonexistent/x.gguf"))) { error in
            guard case .cannotRead("/nonexistent/x.gguf", _)? = error as? GGUFError else { return XCTFail("\(error)") }
        }
    }

    func testRandomCorruptionNeverCrashes() {
        var state = UInt64(0x9E37_79B9_7F4A_7C15)
        var rejected = 0
        for _ in 0..<300 {
            var copy = tiny
            for _ in 0..<4 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                copy[copy.startIndex + Int(state >> 33) % 1280] = UInt8(truncatingIfNeeded: state >> 17)
            }
            guard let file = try? GGUFFile(data: copy, source: "fuzz") else {
                rejected += 1
                continue
            }
            for info in file.tensors { _ = try? file.floats(info) }
        }
        XCTAssertGreaterThan(rejected, 0, "random header damage must be detected at least sometimes")
    }
}
