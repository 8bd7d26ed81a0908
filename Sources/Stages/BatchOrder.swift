import EngineCore
import Model

/// The order in which a trainer draws its examples: a fresh shuffle every epoch, optionally grouped
/// into batches of similar length.
///
/// Batches are padded to their longest sequence, so a batch of mixed lengths spends much of its work
/// on padding. With `windowBatches` > 1, each epoch's shuffled examples are cut into windows of
/// `windowBatches` batches, each window is sorted by length and cut into batches, and all the epoch's
/// batches are shuffled. Each batch then holds examples of similar length, while which examples meet
/// in a window stays random. A batch never straddles two epochs, so an epoch's last batch may be smaller.
struct BatchOrder {
    /// Length of every example (in tokens; only their order matters).
    let lengths: [Int]
    /// Examples per batch.
    let batchSize: Int
    /// Batches per length-sorted window (1: plain shuffled batches).
    let windowBatches: Int
    private var rng: Xoshiro256
    private var pending: [[Int]] = []

    /// An order over examples with the given `lengths`, seeded by `seed`.
    init(lengths: [Int], batchSize: Int, windowBatches: Int, seed: UInt64) {
        precondition(!lengths.isEmpty && batchSize > 0 && windowBatches > 0, "batch order needs examples, a batch size and a window")
        self.lengths = lengths
        self.batchSize = batchSize
        self.windowBatches = windowBatches
        rng = Xoshiro256(seed: seed)
    }

    /// The `length_window` param: batches per length-sorted window.
    static let lengthWindow = Param.integer("length_window", default: 8, in: 1...1_000_000,
                                            "batches per length-sorted window of the shuffled set (1: no length grouping)")

    /// Indices of the next batch's examples.
    mutating func next() -> [Int] {
        if pending.isEmpty { pending = epoch().reversed() }
        return pending.removeLast()
    }

    /// One epoch's batches, in the order they are drawn.
    private mutating func epoch() -> [[Int]] {
        var indices = Array(lengths.indices)
        indices.shuffle(using: &rng)
        guard windowBatches > 1 else { return Self.chunks(indices, of: batchSize) }
        var batches: [[Int]] = []
        for window in Self.chunks(indices, of: batchSize * windowBatches) {
            let sorted = window.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
            batches += Self.chunks(sorted, of: batchSize)
        }
        batches.shuffle(using: &rng)
        return batches
    }

    /// `items` cut into consecutive runs of `size` (the last may be shorter).
    private static func chunks(_ items: [Int], of size: Int) -> [[Int]] {
        stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }
}
