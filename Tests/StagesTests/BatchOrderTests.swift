import XCTest
@testable import Stages

/// Shuffled and length-grouped batch orders.
final class BatchOrderTests: XCTestCase {
    private let lengths = (0..<100).map { ($0 * 37) % 91 + 1 }

    func testEveryExampleOncePerEpoch() {
        for window in [1, 8] {
            var order = BatchOrder(lengths: lengths, batchSize: 8, windowBatches: window, seed: 3)
            for _ in 0..<2 {
                let batches = (0..<13).map { _ in order.next() }
                XCTAssertEqual(batches.flatMap { $0 }.sorted(), Array(0..<100), "window \(window): one epoch is 13 batches of the 100 examples")
                XCTAssertTrue(batches.allSatisfy { $0.count <= 8 })
            }
        }
    }

    func testLengthWindowsMakeBatchesUniform() {
        func meanSpread(_ window: Int) -> Double {
            var order = BatchOrder(lengths: lengths, batchSize: 4, windowBatches: window, seed: 7)
            let spreads = (0..<25).map { _ -> Int in
                let batch = order.next().map { lengths[$0] }
                return batch.max()! - batch.min()!
            }
            return Double(spreads.reduce(0, +)) / 25
        }
        XCTAssertGreaterThan(meanSpread(1), 40, "a plain shuffle mixes lengths")
        XCTAssertLessThan(meanSpread(8), 15, "a window of 8 batches sorts 32 examples by length")
    }

    func testSameSeedSameOrder() {
        var a = BatchOrder(lengths: lengths, batchSize: 8, windowBatches: 4, seed: 11)
        var b = BatchOrder(lengths: lengths, batchSize: 8, windowBatches: 4, seed: 11)
        var c = BatchOrder(lengths: lengths, batchSize: 8, windowBatches: 4, seed: 12)
        let x = (0..<30).map { _ in a.next() }
        XCTAssertEqual(x, (0..<30).map { _ in b.next() })
        XCTAssertNotEqual(x, (0..<30).map { _ in c.next() })
    }
}
