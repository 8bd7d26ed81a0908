import Engine
import EngineCore
import Foundation
@testable import Stages
@testable import TextSimilarity
import World
import XCTest

/// `gate.eval_leak`: exact, normalised, embedded and near leaks with both sources; boundaries; World leaks.
final class GateEvalLeakTests: XCTestCase {
    private let evalPrompts = [
        "What is the capital of the small country Freedonia?",
        "Reverse the word banana.",
        "Sort these words alphabetically: pear apple fig kiwi plum grape lemon",
        "Count the vowels in the phrase quiet morning light.",
        "Name three primary colors.",
    ]

    private func writeEval(_ harness: GateHarness) throws {
        try harness.write("d/eval.jsonl", lines: evalPrompts.enumerated().map { #"{"prompt": "\#($1)", "id": "e\#($0)"}"# })
    }

    func testCleanTrainingPasses() throws {
        let harness = try GateHarness()
        try writeEval(harness)
        try harness.write("d/sft.jsonl", lines: [#"{"prompt": "Reverse the word cherry.", "response": "yrrehc"}"#,
                                                 #"{"prompt": "What is the capital of France?", "response": "Paris"}"#])
        try harness.write("d/ppo.jsonl", lines: [#"{"prompt": "Sort these words alphabetically: dog cat emu"}"#])
        let result = try harness.run(EvalLeakGate(), inputs: ["eval": "d/eval.jsonl", "sft": "d/sft.jsonl", "ppo": "d/ppo.jsonl"])
        XCTAssertEqual(result.report.status, .pass, "\(result.report.findings)")
        XCTAssertEqual(result.report.figures["leaked_eval_prompts"], 0)
    }

    func testEveryKindOfLeakIsListedWithBothSources() throws {
        let harness = try GateHarness()
        try writeEval(harness)
        try harness.write("d/sft.jsonl", lines: [
            #"{"prompt": "unrelated", "response": "fine"}"#,
            #"{"prompt": "What is the capital of the small country Freedonia?", "response": "Fredville"}"#,
            #"{"prompt": "tell me", "response": "Quick question: reverse the word BANANA!! thanks"}"#,
        ])
        try harness.write("d/pref.jsonl", lines: [#"{"prompt": "  name THREE primary   colors", "chosen": "a", "rejected": "b"}"#])
        try harness.write("d/ppo.jsonl", lines: [#"{"prompt": "other"}"#,
                                                 #"{"prompt": "Sort these words alphabetically: pear apple fig kiwi plum grape melon"}"#])
        let result = try harness.run(EvalLeakGate(), inputs: ["eval": "d/eval.jsonl", "sft": "d/sft.jsonl",
                                                              "preferences": "d/pref.jsonl", "ppo": "d/ppo.jsonl"],
                                     params: ["threshold": .double(0.8)])
        XCTAssertEqual(result.report.status, .fail)
        func finding(_ kind: String) -> GateFinding? { result.findings(kind).first }
        XCTAssertEqual(finding("leak_exact").map { [$0.file, "\($0.line!)", $0.field!] }, ["d/sft.jsonl", "2", "prompt"])
        XCTAssertEqual(finding("leak_exact")?.related, GateLocation(file: "d/eval.jsonl", line: 1, field: "prompt"))
        XCTAssertEqual(finding("leak_embedded").map { [$0.file, "\($0.line!)", $0.field!] }, ["d/sft.jsonl", "3", "response"])
        XCTAssertEqual(finding("leak_embedded")?.related?.line, 2)
        XCTAssertEqual(finding("leak_normalized").map { [$0.file, "\($0.line!)"] }, ["d/pref.jsonl", "1"])
        XCTAssertEqual(finding("leak_normalized")?.related?.line, 5)
        XCTAssertEqual(finding("leak_near").map { [$0.file, "\($0.line!)"] }, ["d/ppo.jsonl", "2"])
        XCTAssertEqual(finding("leak_near")?.related?.line, 3)
        XCTAssertEqual(result.report.findings.count, 4)
        XCTAssertEqual(result.report.figures["leaked_fraction"], 0.8)
    }

    func testThresholdAndToleranceAtTheirBoundary() throws {
        let harness = try GateHarness()
        try writeEval(harness)
        try harness.write("d/ppo.jsonl", lines: [#"{"prompt": "Sort these words alphabetically: pear apple fig kiwi plum grape melon"}"#])
        let evalGrams = GateText.wordShingles(GateText.words(TextNormalization.key(evalPrompts[2])), n: 3)
        let trainGrams = GateText.wordShingles(GateText.words(TextNormalization.key("Sort these words alphabetically: pear apple fig kiwi plum grape melon")), n: 3)
        let containment = Double(GateText.intersectionCount(evalGrams, trainGrams)) / Double(evalGrams.count)
        let at = try harness.run(EvalLeakGate(), inputs: ["eval": "d/eval.jsonl", "ppo": "d/ppo.jsonl"],
                                 params: ["threshold": .double(containment), "max_leaked_fraction": .double(0.2)])
        XCTAssertEqual(at.findings("leak_near").count, 1)
        XCTAssertEqual(at.report.status, .warn)
        let above = try harness.run(EvalLeakGate(), inputs: ["eval": "d/eval.jsonl", "ppo": "d/ppo.jsonl"],
                                    params: ["threshold": .double(containment + 0.001)])
        XCTAssertEqual(above.report.status, .pass)
        let strict = try harness.run(EvalLeakGate(), inputs: ["eval": "d/eval.jsonl", "ppo": "d/ppo.jsonl"],
                                     params: ["threshold": .double(containment), "max_leaked_fraction": .double(0.19)])
        XCTAssertEqual(strict.report.status, .fail)
        let jaccard = try harness.run(EvalLeakGate(), inputs: ["eval": "d/eval.jsonl", "ppo": "d/ppo.jsonl"],
                                      params: ["threshold": .double(containment), "measure": .string("jaccard")])
        XCTAssertEqual(jaccard.report.status, .pass, "Jaccard is below containment for this pair")
    }

    func testLookAlikeAndShortEditLeaksAreListedWithBothSources() throws {
        let harness = try GateHarness()
        try writeEval(harness)
        try harness.write("d/sft.jsonl", lines: [
            #"{"prompt": "Reverse the word cherry.", "response": "yrrehc"}"#,
            "{\"prompt\": \"Wh\u{0430}t is the capit\u{0430}l of the sm\u{0430}ll country\u{00A0}Freedonia?\", \"response\": \"Fredville\"}",
        ])
        try harness.write("d/ppo.jsonl", lines: [#"{"prompt": "Name the three primary colors."}"#,
                                                 #"{"prompt": "Count the vowels in the phrase loud evening rain."}"#])
        let result = try harness.run(EvalLeakGate(), inputs: ["eval": "d/eval.jsonl", "sft": "d/sft.jsonl", "ppo": "d/ppo.jsonl"])
        XCTAssertEqual(result.report.status, .fail)
        XCTAssertEqual(result.findings("leak_normalized").map { [$0.file, "\($0.line!)", $0.field!, "\($0.related!.line)"] },
                       [["d/sft.jsonl", "2", "prompt", "1"]])
        XCTAssertEqual(result.findings("leak_edited").map { [$0.file, "\($0.line!)", "\($0.related!.line)"] }, [["d/ppo.jsonl", "1", "5"]])
        XCTAssertTrue(result.findings("leak_edited").first?.message.contains("word edits weighing 0.35") == true)
        XCTAssertEqual(result.report.findings.count, 2, "the templated vowel prompt is not a leak: \(result.report.findings)")
    }

    func testWorldLeaksAreAllFoundAndTheCleanWorldPasses() throws {
        var config = WorldConfig()
        config.sftCount = 600
        config.preferencePromptCount = 200
        config.ppoPromptCount = 200
        config.evalCount = 200
        for fraction in [0.0, 0.05] {
            config.leakFraction = fraction
            let world = try World(config: config)
            let harness = try GateHarness()
            try harness.write("d/eval.jsonl", data: JSONLWriter.encode(world.evalPrompts()))
            try harness.write("d/sft.jsonl", data: JSONLWriter.encode(world.sftDemonstrations()))
            try harness.write("d/pref_prompts.jsonl", data: JSONLWriter.encode(world.preferencePrompts()))
            try harness.write("d/ppo.jsonl", data: JSONLWriter.encode(world.ppoPrompts()))
            let result = try harness.run(EvalLeakGate(), inputs: ["eval": "d/eval.jsonl", "sft": "d/sft.jsonl",
                                                                  "prompts_pref": "d/pref_prompts.jsonl", "ppo": "d/ppo.jsonl"])
            let files: [LeakTarget: String] = [.sft: "d/sft.jsonl", .preference: "d/pref_prompts.jsonl", .ppo: "d/ppo.jsonl"]
            let found = Set(result.report.findings.map { "\($0.file):\($0.line!)" })
            let planted = try world.leakPlan()
            XCTAssertEqual(planted.count, fraction == 0 ? 0 : 10)
            for leak in planted { XCTAssertTrue(found.contains("\(files[leak.target]!):\(leak.line)"), "missed \(leak)") }
            XCTAssertEqual(Int(result.report.figures["leaked_eval_prompts"]!), planted.count, "\(result.report.findings)")
            XCTAssertEqual(result.report.status, planted.isEmpty ? .pass : .fail)
            XCTAssertEqual(Set(result.report.findings.map(\.kind)), planted.isEmpty ? [] : ["leak_exact", "leak_normalized", "leak_embedded"])
        }
    }
}
