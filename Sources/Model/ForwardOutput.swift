/// What one forward pass produced for a batch (B,T).
public struct ForwardOutput: Sendable {
    /// Batch size B.
    public let batchSize: Int
    /// Padded length T.
    public let seqLen: Int
    /// Vocabulary size V.
    public let vocabSize: Int
    /// Next-token logits (B,T,V) of a causal LM; empty for a scalar-head model.
    public let logits: [Float]
    /// Per-token scalar values (B,T) of a scalar-head model (the critic); empty for a causal LM.
    public let values: [Float]
    /// Value at each sequence's last real token (B) (the reward model's score); empty for a causal LM.
    public let scores: [Float]
}
