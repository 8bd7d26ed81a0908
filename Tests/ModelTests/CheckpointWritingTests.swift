import XCTest
import SafeTensors
@testable import Model

/// Writing checkpoints: bf16 halves the weights file and loads back as the rounded values; every save
/// writes generation_config.json with the token ids and carries sampling defaults.
final class CheckpointWritingTests: XCTestCase {
    private func tempDir() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-write-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// The bfloat16 value nearest to `x`, ties to even (reference for finite values).
    private func bf16(_ x: Float) -> Float {
        let bits = x.bitPattern
        return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
    }

    func testBF16HalvesTheStoreAndLoadsBackAsRoundedValues() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 3)
        let f32 = tempDir(), b16 = tempDir()
        try Checkpoint.save(model, tokenizer: ByteTokenizer(), to: f32)
        try Checkpoint.save(model, tokenizer: ByteTokenizer(), to: b16, dtype: .bf16)
        func size(_ dir: URL) throws -> Int {
            try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("model.safetensors").path)[.size] as! Int
        }
        XCTAssertLessThan(Double(try size(b16)) / Double(try size(f32)), 0.56, "halved but for the header")
        let file = try SafeTensorsFile(contentsOf: b16.appendingPathComponent("model.safetensors"))
        let wide = try SafeTensorsFile(contentsOf: f32.appendingPathComponent("model.safetensors"))
        XCTAssertTrue(file.tensors.values.allSatisfy { $0.dtype == .BF16 })
        func dataBytes(_ f: SafeTensorsFile) -> Int { f.tensors.values.map(\.byteRange.count).reduce(0, +) }
        XCTAssertEqual(2 * dataBytes(file), dataBytes(wide))
        XCTAssertEqual(try Checkpoint.loadConfig(from: b16).torchDtype, "bfloat16")
        XCTAssertEqual(try Checkpoint.loadConfig(from: f32).torchDtype, "float32")
        let loaded = try Checkpoint.loadModel(from: b16)
        let original = model.parameters.array(), back = loaded.parameters.array()
        XCTAssertEqual(back, original.map(bf16))
        XCTAssertNotEqual(back, original, "rounding happened")
        for (a, b) in zip(original, back) where a != 0 { XCTAssertLessThanOrEqual(abs(a - b) / abs(a), 1.0 / 256) }
        // Saving the bf16-loaded model as f32 again is exact and says float32.
        let again = tempDir()
        try Checkpoint.save(loaded, tokenizer: ByteTokenizer(), to: again)
        XCTAssertEqual(try Checkpoint.loadModel(from: again).parameters.array(), back)
        XCTAssertEqual(try Checkpoint.loadConfig(from: again).torchDtype, "float32")
    }

    func testBF16RoundingTiesToEvenAndKeepsSpecialValues() throws {
        let values: [Float] = [1, Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000), Float(bitPattern: 0x3F80_8001),
                               -2.5, .infinity, -.infinity, 0, -0.0, .greatestFiniteMagnitude, .nan]
        var writer = SafeTensorsWriter()
        try writer.add(name: "x", shape: [values.count], floats: values, dtype: .BF16)
        let back = try SafeTensorsFile(data: writer.serialized(), source: "mem").floats("x")
        XCTAssertEqual(back[0], 1)
        XCTAssertEqual(back[1].bitPattern, 0x3F80_0000, "tie rounds down to even")
        XCTAssertEqual(back[2].bitPattern, 0x3F82_0000, "tie rounds up to even")
        XCTAssertEqual(back[3].bitPattern, 0x3F81_0000, "above the tie rounds up")
        XCTAssertEqual(Array(back[4...8]), [-2.5, .infinity, -.infinity, 0, -0.0])
        XCTAssertEqual(back[9], .infinity, "rounds past the largest bf16")
        XCTAssertTrue(back[10].isNaN)
        XCTAssertThrowsError(try writer.add(name: "y", shape: [1], floats: [1], dtype: .I32))
    }

    func testGenerationConfigHasTheIdsAndCarriesSamplingDefaults() throws {
        let model = try LlamaModel(config: TestModels.config, seed: 3)
        let first = tempDir()
        try Checkpoint.save(model, tokenizer: ByteTokenizer(), to: first)
        func json(_ dir: URL) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("generation_config.json"))) as! [String: Any]
        }
        let written = try json(first)
        XCTAssertEqual(written["bos_token_id"] as? Int, 8)
        XCTAssertEqual(written["eos_token_id"] as? Int, 9)
        XCTAssertEqual(written["pad_token_id"] as? Int, 10)
        XCTAssertNil(written["temperature"])
        // A checkpoint's own sampling defaults survive load → copy → save.
        try JSONSerialization.data(withJSONObject: ["do_sample": true, "temperature": 0.6, "top_p": 0.9, "eos_token_id": [9, 4],
                                                    "transformers_version": "5.25.0"])
            .write(to: first.appendingPathComponent("generation_config.json"))
        let loaded = try Checkpoint.loadModel(from: first)
        XCTAssertEqual(loaded.samplingDefaults?.temperature, 0.6)
        let second = tempDir()
        try Checkpoint.save(try LlamaModel(copying: loaded), tokenizer: ByteTokenizer(), to: second)
        let carried = try json(second)
        XCTAssertEqual(carried["temperature"] as? Double, 0.6)
        XCTAssertEqual(carried["top_p"] as? Double, 0.9)
        XCTAssertEqual(carried["do_sample"] as? Bool, true)
        XCTAssertEqual(carried["eos_token_id"] as? Int, 9)
        try Data(#"{"temperature": "hot"}"#.utf8).write(to: first.appendingPathComponent("generation_config.json"))
        XCTAssertThrowsError(try Checkpoint.loadModel(from: first)) { error in
            XCTAssertTrue("\(error)".contains("generation_config.json") && "\(error)".contains("temperature"), "\(error)")
        }
    }
}
