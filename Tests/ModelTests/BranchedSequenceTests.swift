import XCTest
@testable import Model

/// Packed branched sequences give each branch what it gets on its own, at a shared prefix's cost.
final class BranchedSequenceTests: XCTestCase {
    /// Two preference-like pairs: a shared prompt, then two responses of different lengths.
    private let pairs: [(prompt: [Int32], chosen: [Int32], rejected: [Int32])] = [
        ([8, 1, 2, 3, 4], [5, 9], [6, 7, 1, 9]),
        ([8, 3, 3], [2, 2, 2, 9], [7, 9]),
    ]

    func testSharingPrefixSplitsAtTheFirstDifferenceAndKeepsATokenInEveryBranch() throws {
        let split = try BranchedSequence(sharingPrefixOf: [[8, 1, 2, 5, 9], [8, 1, 2, 6, 7, 9]])
        XCTAssertEqual(split.prefix, [8, 1, 2])
        XCTAssertEqual(split.branches, [[5, 9], [6, 7, 9]])
        XCTAssertEqual(split.count, 8)
        XCTAssertEqual(split.branchEnds, [4, 7])
        let nested = try BranchedSequence(sharingPrefixOf: [[8, 1, 2], [8, 1, 2, 3]])
        XCTAssertEqual(nested.prefix, [8, 1], "a sequence that is a prefix of the other keeps its last token as its branch")
        XCTAssertEqual(nested.branches, [[2], [2, 3]])
        let same = try BranchedSequence(sharingPrefixOf: [[8, 4], [8, 4]])
        XCTAssertEqual(same.branches, [[4], [4]])
        XCTAssertThrowsError(try BranchedSequence(sharingPrefixOf: []))
        XCTAssertThrowsError(try BranchedSequence(sharingPrefixOf: [[8], []]))
        XCTAssertThrowsError(try BranchedSequence(prefix: [8], branches: [[1], []]))
    }

    func testPackedBatchLaysOutPositionsAndHiddenSpans() throws {
        let packed = try Batch(branched: [BranchedSequence(prefix: [8, 1], branches: [[2, 3], [4]])], padToken: 10)
        XCTAssertEqual(packed.tokens, [8, 1, 2, 3, 4])
        XCTAssertEqual(packed.positions, [0, 1, 2, 3, 2])
        XCTAssertEqual(packed.hiddenKeys, [0, 0, 0, 0, 2, 2, 2, 2, 2, 4], "the second branch hides the first (keys 2..<4)")
    }

    func testScalarHeadScoresAndGradientsMatchSeparateSequences() throws {
        let model = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 5)
        let packed = try pairs.map { try BranchedSequence(sharingPrefixOf: [$0.prompt + $0.chosen, $0.prompt + $0.rejected]) }
        XCTAssertEqual(packed.map(\.prefix), pairs.map(\.prompt))
        let upstream: [[Float]] = [[0.7, -1.3], [-0.4, 2.0]]

        let batch = try Batch(branched: packed, padToken: 10)
        let values = try model.forward(batch).values
        var dValues = [Float](repeating: 0, count: values.count)
        var packedScores: [Float] = []
        for (i, sequence) in packed.enumerated() {
            for (branch, end) in sequence.branchEnds.enumerated() {
                packedScores.append(values[i * batch.seqLen + end])
                dValues[i * batch.seqLen + end] = upstream[i][branch]
            }
        }
        try model.backward(dValues: dValues)
        let packedGradients = model.gradients.array()
        model.zeroGradients()

        let separate = try Batch(sequences: pairs.flatMap { [$0.prompt + $0.chosen, $0.prompt + $0.rejected] }, padToken: 10)
        let scores = try model.forward(separate).scores
        var dSeparate = [Float](repeating: 0, count: separate.batchSize * separate.seqLen)
        for (row, end) in separate.lastTokenIndex.enumerated() { dSeparate[row * separate.seqLen + end] = upstream[row / 2][row % 2] }
        try model.backward(dValues: dSeparate)

        for (a, b) in zip(packedScores, scores) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        let gradients = model.gradients.array()
        XCTAssertGreaterThan(gradients.map(abs).max()!, 1e-3, "the check must see real gradients")
        for (a, b) in zip(packedGradients, gradients) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testPositionLimitAppliesToPositionsNotToThePackedLength() throws {
        let model = try LlamaModel(config: TestModels.config.withScalarHead(), seed: 5) // 32 positions
        let prompt = [Int32](repeating: 3, count: 20)
        let fits = try BranchedSequence(prefix: prompt, branches: [[Int32](repeating: 4, count: 12), [Int32](repeating: 5, count: 12)])
        XCTAssertEqual(fits.count, 44)
        XCTAssertNoThrow(try model.forward(Batch(branched: [fits], padToken: 10)))
        let tooLong = try BranchedSequence(prefix: prompt, branches: [[Int32](repeating: 4, count: 13), [5]])
        XCTAssertThrowsError(try model.forward(Batch(branched: [tooLong], padToken: 10))) { error in
            XCTAssertEqual(error as? ModelError, .sequenceTooLong(length: 33, limit: 32))
        }
    }
}
