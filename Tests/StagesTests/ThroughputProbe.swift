import Engine
import Foundation
import XCTest
@testable import Stages

final class ThroughputProbe: XCTestCase {
    func testPretrainSpeed() throws {
        let h = try StageHarness()
        let world = try h.run(SynthWorldKind(), params: ["corpus_bytes": .int(200_000)])
        let corpus = try h.run(SynthKind(set: .corpus), inputs: ["world": world["world"]!])
        let t0 = Date()
        let out = try h.run(PretrainKind(), inputs: ["corpus": corpus["data"]!],
                            params: ["steps": .int(30), "batch_size": .int(16), "seq_len": .int(64)])
        print("PRETRAIN 30 steps:", Date().timeIntervalSince(t0))
        print(try String(contentsOf: out["info"]!))
    }
}
