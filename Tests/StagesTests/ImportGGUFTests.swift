import EngineCore
import Foundation
import Model
@testable import Stages
import XCTest
import TestSupport

/// The `import` stage given a GGUF file: an HF-layout base directory and its base.txt note.
final class ImportGGUFTests: XCTestCase {
    private let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("GGUFTests/Fixtures/tiny_llama.gguf")

    func testImportConvertsGGUFToHFLayout() throws {
        let harness = try StageHarness()
        let source = harness.root.appendingPathComponent("tiny.gguf")
        try FileManager.default.copyItem(at: fixture, to: source)
        let outputs = try harness.run(ImportKind(), node: "base", inputs: ["checkpoint": source],
                                      params: ["description": .string("fixture")])
        let model = outputs["model"]!
        let files = try FileManager.default.contentsOfDirectory(atPath: model.path).sorted()
        XCTAssertEqual(files, ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                               "tokenizer_config.json"])
        let loaded = try Checkpoint.loadModel(from: model)
        let direct = try GGUFCheckpoint.loadModel(from: source)
        XCTAssertEqual(loaded.parameters.array(), direct.parameters.array())
        let info = try String(contentsOf: outputs["info"]!, encoding: .utf8)
        XCTAssertTrue(info.contains("converted from GGUF tiny.gguf"), info)
        XCTAssertTrue(info.contains("tensors 15 Q8_0, 5 F32"), info)
    }

    func testBrokenGGUFIsABadInput() throws {
        let harness = try StageHarness()
        let data = try Data(contentsOf: fixture)
        let source = harness.root.appendingPathComponent("cut.gguf")
        try data.prefix(data.count / 2).write(to: source)
        XCTAssertThrowsError(try harness.run(ImportKind(), node: "base", inputs: ["checkpoint": source])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("cut.gguf") && text.contains("truncated"), text)
        }
    }
}
