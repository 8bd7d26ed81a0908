@testable import Model

/// Tiny configs and batches shared by the model tests.
enum TestModels {
    /// A 2-layer GQA model small enough for finite differences in a debug build.
    static var config: LlamaConfig {
        var c = LlamaConfig(hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4,
                            numKeyValueHeads: 2, vocabSize: 11, maxPositionEmbeddings: 32, tieWordEmbeddings: false,
                            bosTokenId: 8, eosTokenId: 9, padTokenId: 10)
        c.initializerRange = 0.3
        return c
    }

    /// Two right-padded sequences.
    static func batch() throws -> Batch {
        try Batch(sequences: [[8, 1, 2, 3, 4, 5], [8, 6, 7, 9]], padToken: 10)
    }
}
