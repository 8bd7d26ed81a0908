import TextSimilarity
import Engine
import EngineCore
import World
import XCTest
@testable import Stages
import TestSupport

/// Bad data files fail with file, line and field; generators are deterministic and disjoint.
final class DataValidationTests: XCTestCase {
    func testBadSFTLineIsReportedWithFileAndLine() throws {
        let h = try StageHarness()
        let data = try h.file("sft.jsonl", "{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"c\"}\nnot json\n")
        let prompts = try h.file("eval.jsonl", "{\"prompt\": \"what is 3 plus 4?\"}\n")
        XCTAssertThrowsError(try h.run(SFTKind(), inputs: ["base": h.root, "data": data, "eval_prompts": prompts])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("sft.jsonl:2: response:"), text)
            XCTAssertTrue(text.contains("sft.jsonl:3:"), text)
        }
    }

    func testBadPreferenceFileIsReportedWithFileLineAndField() throws {
        let h = try StageHarness()
        let data = try h.file("prefs.jsonl", "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n{\"prompt\": \"p\", \"chosen\": 3, \"rejected\": \"b\"}\n")
        XCTAssertThrowsError(try h.run(PreferencesKind(), inputs: ["data": data])) { error in
            XCTAssertTrue("\(error)".contains("prefs.jsonl:2: chosen:"), "\(error)")
        }
    }

    func testGeneratorsAreDeterministicAndEvalIsDisjoint() throws {
        let h = try StageHarness()
        let params: [String: JSONValue] = ["sft_count": .int(80), "eval_count": .int(30), "ppo_prompt_count": .int(40), "corpus_bytes": .int(3000)]
        let world = try h.run(SynthWorldKind(), params: params)["world"]!
        func lines(_ set: SynthSet, node: String) throws -> [String] {
            let url = try h.run(SynthKind(set: set), node: node, inputs: ["world": world])["data"]!
            return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        XCTAssertEqual(try lines(.sft, node: "a"), try lines(.sft, node: "b"))
        let eval = try RecordReader().prompts(from: h.run(SynthKind(set: .evalPrompts), node: "e", inputs: ["world": world])["data"]!)
        let sft = try RecordReader().sft(from: h.run(SynthKind(set: .sft), node: "s", inputs: ["world": world])["data"]!)
        let ppo = try RecordReader().prompts(from: h.run(SynthKind(set: .ppoPrompts), node: "p", inputs: ["world": world])["data"]!)
        let training = Set(sft.map { TextNormalization.key($0.splitKey) } + ppo.map { TextNormalization.key($0.prompt) })
        XCTAssertEqual(eval.count, 30)
        XCTAssertTrue(eval.allSatisfy { !training.contains(TextNormalization.key($0.prompt)) })
    }

    func testUnknownWorldKnobIsAParamError() throws {
        let h = try StageHarness()
        XCTAssertThrowsError(try h.run(SynthWorldKind(), params: ["sft_error_rate": .double(2)])) { error in
            XCTAssertTrue("\(error)".contains("sft_error_rate"), "\(error)")
        }
    }
}
