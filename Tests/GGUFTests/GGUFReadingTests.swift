import Foundation
import GGUF
import SafeTensors
import XCTest

/// Reading the fixture files: header, metadata of every type, tensor infos and exact dequantisation.
final class GGUFReadingTests: XCTestCase {
    func testHeaderAndAlignment() throws {
        let file = try GGUFFile(contentsOf: GGUFFixtures.url("tiny.gguf"))
        XCTAssertEqual(file.version, 3)
        XCTAssertEqual(file.alignment, 64)
        XCTAssertEqual(try file.string("general.architecture"), "llama")
        XCTAssertEqual(file.tensors.map(\.name), ["f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q4_k", "q5_k", "q6_k", "f32_3d"])
        XCTAssertEqual(file.tensors.map(\.type), [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q4_K, .q5_K, .q6_K, .f32])
        XCTAssertTrue(file.tensors.allSatisfy { $0.byteRange.lowerBound % 64 == 0 })
        XCTAssertEqual(try file.info("f32_3d").dimensions, [4, 3, 2])
        XCTAssertEqual(try file.info("f32_3d").shape, [2, 3, 4])
        XCTAssertEqual(try file.info("q6_k").byteRange.count, 4 * 210)
    }

    func testEveryMetadataType() throws {
        let file = try GGUFFile(contentsOf: GGUFFixtures.url("tiny.gguf"))
        let m = file.metadata
        XCTAssertEqual(m["test.u8"], .uint8(200))
        XCTAssertEqual(m["test.i8"], .int8(-100))
        XCTAssertEqual(m["test.u16"], .uint16(60000))
        XCTAssertEqual(m["test.i16"], .int16(-30000))
        XCTAssertEqual(m["test.u32"], .uint32(4_000_000_000))
        XCTAssertEqual(m["test.i32"], .int32(-2_000_000_000))
        XCTAssertEqual(m["test.f32"], .float32(1.5))
        XCTAssertEqual(m["test.bool"], .bool(true))
        XCTAssertEqual(m["test.string"], .string("héllo wörld ✓"))
        XCTAssertEqual(m["test.u64"], .uint64(1 << 63 + 5))
        XCTAssertEqual(m["test.i64"], .int64(-(1 << 62)))
        XCTAssertEqual(m["test.f64"], .float64(-2.25e-300))
        XCTAssertEqual(m["test.array.i32"], .array(elementType: .int32, [.int32(1), .int32(-2), .int32(3)]))
        XCTAssertEqual(try file.strings("test.array.string"), ["a", "", "ccc"])
        XCTAssertEqual(try file.ints("test.array.u8"), [1, 2, 255])
        XCTAssertEqual(m["test.array.nested"], .array(elementType: .array, [
            .array(elementType: .int32, [.int32(1), .int32(2)]),
            .array(elementType: .int32, [.int32(3)]),
            .array(elementType: .int32, [.int32(4), .int32(5), .int32(6)]),
        ]))
        XCTAssertEqual(m["test.array.nested_strings"]?.array?.map { $0.array?.compactMap(\.string) }, [["x", "y"], ["z"]])
        XCTAssertEqual(file.metadataKeys.first, "general.architecture")
        XCTAssertNil(try file.int("absent.key"))
        XCTAssertThrowsError(try file.int("test.u64"), "2^63 + 5 does not fit an Int")
        XCTAssertEqual(try file.int("test.i64"), -(1 << 62))
    }

    func testTypedAccessorsNameTheKeyOnMismatch() throws {
        let file = try GGUFFile(contentsOf: GGUFFixtures.url("tiny.gguf"))
        XCTAssertThrowsError(try file.string("test.u8")) { error in
            XCTAssertEqual(error as? GGUFError, .metadataType(file: file.source, key: "test.u8", expected: "a string", found: "uint8"))
        }
        XCTAssertThrowsError(try file.value("tokenizer.ggml.tokens")) { error in
            XCTAssertTrue("\(error)".contains("tokenizer.ggml.tokens"))
        }
    }

    func testDequantisationMatchesGGUFPy() throws {
        for name in ["tiny.gguf", "tiny_v2.gguf"] {
            let file = try GGUFFile(contentsOf: GGUFFixtures.url(name))
            let expected = try SafeTensorsFile(contentsOf: GGUFFixtures.url("tiny_expected.safetensors"))
            for info in file.tensors {
                let want = try expected.floats(info.name)
                XCTAssertEqual(try expected.info(info.name).shape, info.shape, info.name)
                let got = try file.floats(info)
                XCTAssertEqual(got.count, want.count, info.name)
                for (index, (g, w)) in zip(got, want).enumerated() where g.bitPattern != w.bitPattern {
                    XCTFail("\(name) \(info.name)[\(index)]: got \(g), gguf-py gives \(w)")
                    break
                }
            }
        }
    }

    func testVersion2IsReadLikeVersion3() throws {
        let v2 = try GGUFFile(contentsOf: GGUFFixtures.url("tiny_v2.gguf"))
        let v3 = try GGUFFile(contentsOf: GGUFFixtures.url("tiny.gguf"))
        XCTAssertEqual(v2.version, 2)
        XCTAssertEqual(v2.tensors, v3.tensors)
        XCTAssertEqual(v2.metadata, v3.metadata)
    }

    func testInMemoryAndUnknownTensor() throws {
        let file = try GGUFFile(data: try GGUFFixtures.data("tiny.gguf"), source: "memory")
        XCTAssertEqual(try file.floats("q4_1").count, 3 * 64)
        XCTAssertThrowsError(try file.floats("nope")) { error in
            guard case let .tensorNotFound(_, tensor, available) = error as? GGUFError else { return XCTFail("\(error)") }
            XCTAssertEqual(tensor, "nope")
            XCTAssertEqual(available.count, 10)
        }
    }
}
