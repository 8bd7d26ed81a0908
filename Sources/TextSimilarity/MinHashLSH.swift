/// MinHash signatures with LSH banding: finds candidate pairs of similar shingle sets without comparing all pairs.
public struct MinHashLSH {
    /// Number of bands.
    let bands: Int
    /// Rows (hash functions) per band.
    let rows: Int
    /// Per-function (multiplier, addend) pairs; multipliers are odd.
    private let functions: [(UInt64, UInt64)]
    /// Band bucket key → indices of the sets added so far.
    private var buckets: [UInt64: [Int]] = [:]

    /// A banded index with `bands` × `rows` hash functions derived from `seed`.
    public init(bands: Int, rows: Int, seed: UInt64 = 0x5eed) {
        self.bands = bands
        self.rows = rows
        var state = seed
        var functions: [(UInt64, UInt64)] = []
        for _ in 0..<(bands * rows) {
            state = GateText.mix(state)
            let multiplier = state | 1
            state = GateText.mix(state)
            functions.append((multiplier, state))
        }
        self.functions = functions
    }

    /// The MinHash signature of a non-empty shingle set.
    /// - Complexity: O(shingles × bands × rows).
    public func signature(_ shingles: [UInt64]) -> [UInt64] {
        functions.map { function in
            var smallest = UInt64.max
            for shingle in shingles {
                let value = GateText.mix(shingle &* function.0 &+ function.1)
                if value < smallest { smallest = value }
            }
            return smallest
        }
    }

    /// The bucket keys of `signature`, one per band.
    private func bandKeys(_ signature: [UInt64]) -> [UInt64] {
        (0..<bands).map { band in
            var value = UInt64(band) &* 0x9e37_79b9_7f4a_7c15
            for row in 0..<rows { value = GateText.mix(value ^ signature[band * rows + row]) }
            return value
        }
    }

    /// Indices added earlier that share at least one band with `signature`, ascending.
    public func candidates(_ signature: [UInt64]) -> [Int] {
        var found = Set<Int>()
        for key in bandKeys(signature) { found.formUnion(buckets[key] ?? []) }
        return found.sorted()
    }

    /// Adds set number `index` with `signature` to the buckets.
    public mutating func insert(_ index: Int, signature: [UInt64]) {
        for key in bandKeys(signature) { buckets[key, default: []].append(index) }
    }
}
