import EngineCore
import Kernels
import Model
@testable import Stages
import XCTest

/// The `base_precision` field of the `lora` param: decoded into the model's `basePrecision` by `LoRAStage.attach`,
/// fp32 when absent, auto resolved for this CPU, and unknown values refused with the field's path.
final class LoRABasePrecisionTests: XCTestCase {
    private func setting(_ lora: [String: JSONValue]) throws -> LoRASpec.Setting? {
        try LoRASpec.read(Params(node: "sft", values: ["lora": .object(lora)]))
    }

    private func attached(_ lora: [String: JSONValue]) throws -> LlamaModel {
        let model = try LlamaModel(config: LlamaConfig(hiddenSize: 8, intermediateSize: 16, numHiddenLayers: 1, numAttentionHeads: 2,
                                                       numKeyValueHeads: 1, vocabSize: 12, maxPositionEmbeddings: 16,
                                                       bosTokenId: 1, eosTokenId: 2, padTokenId: 2), seed: 1)
        _ = try LoRAStage.attach(try XCTUnwrap(setting(lora)), to: model, seed: 2)
        return model
    }

    func testAbsentIsFP32AndAutoFollowsTheCPU() throws {
        XCTAssertEqual(try attached(["r": .int(2)]).basePrecision, .fp32)
        XCTAssertEqual(try attached(["r": .int(2), "base_precision": .string("fp32")]).basePrecision, .fp32)
        XCTAssertEqual(try attached(["r": .int(2), "base_precision": .string("auto")]).basePrecision,
                       BF16Matmul.isSupported ? .bf16 : .fp32)
    }

    func testBF16IsUsedWhereTheCPUHasItAndRefusedWithTheFixElsewhere() throws {
        let lora: [String: JSONValue] = ["r": .int(2), "base_precision": .string("bf16")]
        if BF16Matmul.isSupported {
            XCTAssertEqual(try attached(lora).basePrecision, .bf16)
        } else {
            XCTAssertThrowsError(try setting(lora)) { error in
                XCTAssertTrue("\(error)".contains("lora.base_precision") && "\(error)".contains("\"auto\""), "\(error)")
            }
        }
    }

    func testUnknownPrecisionNamesTheField() {
        XCTAssertThrowsError(try setting(["r": .int(2), "base_precision": .string("fp16")])) { error in
            XCTAssertTrue("\(error)".contains("lora.base_precision"), "\(error)")
        }
    }
}
