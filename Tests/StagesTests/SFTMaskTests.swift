import Model
import World
import XCTest
@testable import Stages

/// The SFT loss covers exactly the response tokens and the closing EOS.
final class SFTMaskTests: XCTestCase {
    func testMaskCoversOnlyResponseTokensAndEOS() throws {
        let tokenizer = ByteTokenizer()
        let records = [(prompt: "reverse the word cat.", response: "tac"), (prompt: "what is 3 plus 4?", response: "the answer is 7.")]
        let data = try SFTData(records.enumerated().map { (line: $0.offset + 1, example: SFTExample(prompt: $0.element.prompt, response: $0.element.response)) },
                               renderer: ChatRenderer(tokenizer: tokenizer), validationFraction: 0, maxLength: 128, file: "t")
        let examples = data.train + data.validation
        XCTAssertEqual(examples.count, 2)
        let markers: Set<Int32> = [tokenizer.special.bos, tokenizer.special.user, tokenizer.special.assistant,
                                   tokenizer.special.system, tokenizer.special.pad]
        for (example, record) in zip(examples, records) {
            let masked = zip(example.tokens, example.lossMask).filter { $0.1 == 1 }.map(\.0)
            XCTAssertEqual(masked, tokenizer.encode(record.response) + [tokenizer.special.eos], "loss on response + EOS only")
            XCTAssertTrue(zip(example.tokens, example.lossMask).allSatisfy { !markers.contains($0.0) || $0.1 == 0 })
            XCTAssertTrue(example.lossMask[..<example.promptLength].allSatisfy { $0 == 0 }, "no prompt token carries loss")
        }
        // Through the trainer's batching: the weighted targets are exactly the response bytes and EOS.
        let batch = try Batch(sequences: examples.map(\.tokens), padToken: tokenizer.special.pad)
        var flat = [Float](repeating: 0, count: batch.batchSize * batch.seqLen)
        for (b, example) in examples.enumerated() { for (t, w) in example.lossMask.enumerated() { flat[b * batch.seqLen + t] = w } }
        let (targets, weights) = try batch.nextTokenTargets(lossMask: flat)
        let trained = zip(targets, weights).filter { $0.1 > 0 }.map(\.0)
        XCTAssertEqual(trained, examples.flatMap { zip($0.tokens, $0.lossMask).filter { $0.1 == 1 }.map(\.0) })
    }

    func testTooLongExampleNamesTheLine() {
        let records = [SFTExample(prompt: "a", response: "b"), SFTExample(prompt: String(repeating: "x", count: 200), response: "y")]
        XCTAssertThrowsError(try SFTData(records.enumerated().map { (line: $0.offset + 1, example: $0.element) }, renderer: ChatRenderer(tokenizer: ByteTokenizer()), validationFraction: 0,
                                         maxLength: 64, file: "sft.jsonl")) { error in
            XCTAssertTrue("\(error)".contains("sft.jsonl: line 2"), "\(error)")
        }
    }
}
