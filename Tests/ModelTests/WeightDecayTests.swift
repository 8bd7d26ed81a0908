import XCTest
@testable import Model

/// AdamW's weight decay reaches every matrix and no norm weight: each norm slice is checked, found by name.
final class WeightDecayTests: XCTestCase {
    func testEveryNormSliceIsExcludedFromWeightDecayAndEveryMatrixDecays() throws {
        for config in [TestModels.config, TestModels.config.withScalarHead()] {
            let model = try LlamaModel(config: config, seed: 1)
            // Norm weights start at 1; make them distinct so a decayed element cannot hide.
            for slice in model.layout.slices where slice.name.hasSuffix("norm.weight") {
                try model.setParameter(named: slice.name, to: (0..<slice.count).map { 1 + Float($0) / 8 })
            }
            let before = model.parameters.array()
            // Zero gradients: Adam's step is 0, so only the decoupled decay can move a weight.
            let learningRate: Float = 0.1, decay: Float = 0.5
            try AdamW(model: model, options: .init(weightDecay: decay)).update(model, learningRate: learningRate)
            let after = model.parameters.array()
            let norms = model.layout.slices.filter { $0.name.hasSuffix("norm.weight") }
            XCTAssertEqual(norms.count, 2 * config.numHiddenLayers + 1, "input and post-attention norm per layer, plus the final norm")
            for slice in model.layout.slices {
                let range = slice.offset..<(slice.offset + slice.count)
                if norms.contains(slice) {
                    XCTAssertEqual(Array(after[range]), Array(before[range]), "\(slice.name) must not decay")
                } else {
                    for i in range where before[i] != 0 {
                        XCTAssertEqual(after[i], before[i] * (1 - learningRate * decay), accuracy: 1e-6 * abs(before[i]) + 1e-9,
                                       "\(slice.name)[\(i - slice.offset)] must decay")
                    }
                }
            }
        }
    }
}
