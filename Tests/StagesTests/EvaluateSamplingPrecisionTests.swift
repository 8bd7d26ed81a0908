import EngineCore
import Foundation
import Model
import XCTest
@testable import Stages
@testable import Training
import TestSupport

/// `evaluate`'s `sampling_precision`: recorded in `final_eval.json` and stated in `final_eval.md` when it is not fp32,
/// absent otherwise, and a bad value is an error naming the param.
final class EvaluateSamplingPrecisionTests: XCTestCase {
    /// Runs `evaluate` (SFT as every model, 4 world prompts, 2 samples at temperature 1) with `params` added.
    private func evaluate(_ params: [String: JSONValue]) throws -> (FinalEvaluation, raw: String, markdown: String) {
        let root = try PPOTestFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var inputs = try PPOTestFixtures.writeInputs(in: root, promptCount: 4)
        inputs["policy"] = inputs["sft"]
        inputs["base"] = inputs["sft"]
        inputs["world"] = try PPOTestFixtures.worldJudgeFile(in: root)
        let context = try PPOTestFixtures.context(node: "evaluate", workspace: root, inputs: inputs, outputs: ["report", "summary"],
                                                  params: ["max_new_tokens": .int(4), "temperature": .double(1), "samples_per_prompt": .int(2),
                                                           "bootstrap_resamples": .int(50)].merging(params) { $1 })
        try EvaluateRun(context: context).run()
        let raw = try String(contentsOf: context.outputs["summary"]!, encoding: .utf8)
        return (try JSONDecoder().decode(FinalEvaluation.self, from: Data(raw.utf8)), raw,
                try String(contentsOf: context.outputs["report"]!, encoding: .utf8))
    }

    func testBF16SamplingIsRecordedWhereItRunsAndFP32LeavesNoTrace() throws {
        let (bf16, _, bf16Report) = try evaluate(["sampling_precision": .string("bf16")])
        let runsBF16 = InferencePrecision.bf16.effective == .bf16
        XCTAssertEqual(bf16.samplingPrecision, runsBF16 ? "bf16" : nil, "bf16 falls back to fp32 (and says nothing) without AVX-512 BF16")
        XCTAssertEqual(bf16Report.contains("generated with bf16 matrix products"), runsBF16)
        XCTAssertEqual(bf16.model("policy")!.klToSFT, 0, accuracy: 1e-9, "the KL's log-probs stay fp32: the same weights have zero KL")
        let (fp32, raw, fp32Report) = try evaluate([:])
        XCTAssertNil(fp32.samplingPrecision)
        XCTAssertFalse(raw.contains("sampling_precision"), "an fp32 summary has the keys it had before the param")
        XCTAssertFalse(fp32Report.contains("matrix products"))
    }

    func testAnUnknownSamplingPrecisionNamesTheParamAndTheChoices() throws {
        XCTAssertThrowsError(try evaluate(["sampling_precision": .string("fp16")])) { error in
            guard case let StagesError.invalidParam(_, param, message) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(param, "sampling_precision")
            XCTAssertTrue(message.contains("fp32, bf16, auto"), message)
        }
    }
}
