/// A right-padded batch of token sequences (B,T) with its attention mask (1 real token, 0 pad).
///
/// Tokens sit at positions 0, 1, … and see every earlier token, unless the batch packs branched
/// sequences (`Batch(branched:padToken:)`), which set their own positions and hidden key spans.
public struct Batch: Sendable, Equatable {
    /// Number of sequences B.
    public let batchSize: Int
    /// Padded length T.
    public let seqLen: Int
    /// Token ids (B,T), pads filled with the pad id.
    public let tokens: [Int32]
    /// Attention mask (B,T): 1 for real tokens, 0 for padding.
    public let mask: [Float]
    /// Number of real tokens per sequence (B).
    public let lengths: [Int]
    /// RoPE positions (B,T), or nil for 0..<T in every sequence.
    public let positions: [Int32]?
    /// Per token, a span [from, to) of earlier keys it may not attend to (B,T,2), or nil for none.
    public let hiddenKeys: [Int32]?

    /// Right-pads `sequences` with `padToken` to `seqLen` (default: the longest); empty sequences are rejected.
    public init(sequences: [[Int32]], padToken: Int32, seqLen padTo: Int? = nil) throws {
        guard !sequences.isEmpty else { throw ModelError.invalidState("a batch needs at least one sequence") }
        let longest = sequences.map(\.count).max() ?? 0
        let T = padTo ?? longest
        if longest > T { throw ModelError.sequenceTooLong(length: longest, limit: T) }
        if let empty = sequences.firstIndex(where: { $0.isEmpty }) {
            throw ModelError.invalidState("sequence \(empty) of the batch is empty; every sequence needs a token")
        }
        var tokens = [Int32](repeating: padToken, count: sequences.count * T)
        var mask = [Float](repeating: 0, count: sequences.count * T)
        for (b, s) in sequences.enumerated() {
            for (t, tok) in s.enumerated() {
                tokens[b * T + t] = tok
                mask[b * T + t] = 1
            }
        }
        batchSize = sequences.count
        seqLen = T
        self.tokens = tokens
        self.mask = mask
        lengths = sequences.map(\.count)
        positions = nil
        hiddenKeys = nil
    }

    /// A batch from its parts; `Batch(branched:padToken:)` builds on it.
    init(batchSize: Int, seqLen: Int, tokens: [Int32], mask: [Float], lengths: [Int], positions: [Int32]?, hiddenKeys: [Int32]?) {
        self.batchSize = batchSize
        self.seqLen = seqLen
        self.tokens = tokens
        self.mask = mask
        self.lengths = lengths
        self.positions = positions
        self.hiddenKeys = hiddenKeys
    }

    /// Index of the last real token of each sequence (B); in a branched batch that is the last branch's
    /// last token (`BranchedSequence.branchEnds` gives every branch's).
    public var lastTokenIndex: [Int] { lengths.map { $0 - 1 } }

    /// Next-token targets (B,T) and loss weights (B,T) for causal-LM training: position t predicts token
    /// t+1 with weight `mask[t+1] · lossMask[t+1]` (`lossMask` (B,T) defaults to all ones); the last
    /// position has weight 0.
    public func nextTokenTargets(lossMask: [Float]? = nil) throws -> (targets: [Int32], weights: [Float]) {
        if let lossMask, lossMask.count != tokens.count {
            throw ModelError.shapeMismatch(what: "loss mask (B,T)", expected: tokens.count, got: lossMask.count)
        }
        var targets = [Int32](repeating: 0, count: tokens.count)
        var weights = [Float](repeating: 0, count: tokens.count)
        for b in 0..<batchSize {
            for t in 0..<(seqLen - 1) {
                let next = b * seqLen + t + 1
                targets[b * seqLen + t] = tokens[next]
                weights[b * seqLen + t] = mask[next] * (lossMask?[next] ?? 1)
            }
        }
        return (targets, weights)
    }
}
