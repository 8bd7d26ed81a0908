import Model
import World
import XCTest
@testable import Training

/// Completions per request keep request order and temperature; a prompt's requests share a batch.
final class PolicySamplerTests: XCTestCase {
    func testRequestsKeepTheirOrderAndTemperatureAndGreedyRowsOfAPromptAgree() throws {
        let config = LlamaConfig(hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 1, numAttentionHeads: 2,
                                 numKeyValueHeads: 1, maxPositionEmbeddings: 96)
        let sampler = PolicySampler(model: try LlamaModel(config: config, seed: 9), tokenizer: ByteTokenizer(), batchSize: 4)
        let requests: [(prompt: PromptRecord, temperature: Double)] = [("reverse cat.", 0), ("sort dog.", 1), ("reverse cat.", 0),
                                                                       ("reverse cat.", 1.3), ("say hi 2 times.", 0)]
            .map { (prompt: PromptRecord(prompt: $0.0), temperature: $0.1) }
        let completions = try sampler.complete(requests, maxNewTokens: 12, seed: 3)
        XCTAssertEqual(completions.map(\.prompt), requests.map(\.prompt.prompt))
        XCTAssertEqual(completions.map(\.temperature), requests.map(\.temperature))
        XCTAssertEqual(completions[0].text, completions[2].text, "greedy completions of one prompt agree")
        let alone = try sampler.complete(["reverse cat.", "say hi 2 times."], temperature: 0, maxNewTokens: 12, seed: 99)
        XCTAssertEqual(alone[0].text, completions[0].text, "greedy output does not depend on the batch")
        XCTAssertEqual(alone[1].text, completions[4].text)
        XCTAssertTrue(completions.allSatisfy { $0.tokenCount > 0 && $0.tokenCount <= 12 })
    }
}
