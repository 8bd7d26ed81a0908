/// A shared prefix and several continuations of it, packed into one sequence in which each continuation
/// attends to the prefix and to itself only, and restarts its positions where the prefix ends.
///
/// A scalar-head or LM forward pass over the packed sequence gives every continuation token exactly the
/// value it has in the sequence `prefix + continuation`, while the prefix is computed once: a preference
/// pair's prompt then costs one pass instead of two.
public struct BranchedSequence: Sendable, Equatable {
    /// Tokens every branch continues.
    public let prefix: [Int32]
    /// The continuations, each at least one token long.
    public let branches: [[Int32]]

    /// A prefix and its branches; throws when there is no branch or a branch is empty.
    public init(prefix: [Int32], branches: [[Int32]]) throws {
        guard !branches.isEmpty else { throw ModelError.invalidState("a branched sequence needs at least one branch") }
        if let empty = branches.firstIndex(where: \.isEmpty) {
            throw ModelError.invalidState("branch \(empty) of a branched sequence is empty; every branch needs a token")
        }
        self.prefix = prefix
        self.branches = branches
    }

    /// Splits whole sequences into their longest common prefix and the rest, leaving every branch at least one token.
    public init(sharingPrefixOf sequences: [[Int32]]) throws {
        guard let first = sequences.first else { throw ModelError.invalidState("a branched sequence needs at least one branch") }
        var shared = sequences.map(\.count).min()! - 1
        for other in sequences.dropFirst() {
            shared = min(shared, zip(first, other).prefix { $0.0 == $0.1 }.count)
        }
        shared = max(shared, 0)
        try self.init(prefix: Array(first[..<shared]), branches: sequences.map { Array($0[shared...]) })
    }

    /// Tokens in the packed sequence: the prefix, then every branch in turn.
    public var count: Int { prefix.count + branches.reduce(0) { $0 + $1.count } }

    /// Index in the packed sequence of each branch's last token (where a scalar head reads its score).
    public var branchEnds: [Int] {
        var end = prefix.count - 1
        return branches.map { end += $0.count; return end }
    }

    /// The packed tokens, their RoPE positions and their hidden key spans (2 per token).
    var packed: (tokens: [Int32], positions: [Int32], hiddenKeys: [Int32]) {
        var tokens = prefix, positions = (0..<prefix.count).map(Int32.init)
        var hidden = [Int32](repeating: 0, count: 2 * prefix.count)
        for branch in branches {
            let start = Int32(tokens.count), shared = Int32(prefix.count)
            tokens += branch
            positions += (0..<branch.count).map { shared + Int32($0) }
            for _ in branch { hidden += [shared, start] }
        }
        return (tokens, positions, hidden)
    }
}

extension Batch {
    /// Right-pads packed branched sequences into one batch whose positions and hidden key spans keep the
    /// branches apart; pad positions are 0 and hide nothing.
    public init(branched sequences: [BranchedSequence], padToken: Int32) throws {
        guard !sequences.isEmpty else { throw ModelError.invalidState("a batch needs at least one sequence") }
        let B = sequences.count, T = sequences.map(\.count).max()!
        var tokens = [Int32](repeating: padToken, count: B * T)
        var mask = [Float](repeating: 0, count: B * T)
        var positions = [Int32](repeating: 0, count: B * T)
        var hidden = [Int32](repeating: 0, count: 2 * B * T)
        for (b, sequence) in sequences.enumerated() {
            let packed = sequence.packed
            for t in packed.tokens.indices {
                tokens[b * T + t] = packed.tokens[t]
                mask[b * T + t] = 1
                positions[b * T + t] = packed.positions[t]
                hidden[2 * (b * T + t)] = packed.hiddenKeys[2 * t]
                hidden[2 * (b * T + t) + 1] = packed.hiddenKeys[2 * t + 1]
            }
        }
        self.init(batchSize: B, seqLen: T, tokens: tokens, mask: mask, lengths: sequences.map(\.count),
                  positions: positions, hiddenKeys: hidden)
    }
}
