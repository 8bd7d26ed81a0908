/// A small seeded pseudo-random generator (SplitMix64) so every world output is reproducible.
///
/// Never seeded from the system; the same seed always yields the same stream on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's internal state; advancing it by the golden-ratio increment yields the stream.
    private var state: UInt64

    /// Creates a generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// Creates an independent stream for a named purpose, e.g. `SplitMix64(seed: 7, stream: "eval")`.
    public init(seed: UInt64, stream: String) {
        state = seed ^ StableHash.hash(stream)
        _ = next()
    }

    /// Returns the next 64 pseudo-random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return StableHash.mix(state)
    }

    /// Returns a uniform integer in `0..<bound` (bound must be positive), without modulo bias.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "SplitMix64.below needs a positive bound")
        let b = UInt64(bound)
        let limit = UInt64.max - UInt64.max % b
        while true {
            let x = next()
            if x < limit { return Int(x % b) }
        }
    }

    /// Returns a uniform integer in the closed range.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// Returns a uniform double in `[0, 1)` with 53 bits of precision.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Returns true with probability `p` (clamped to [0, 1]).
    public mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }

    /// Returns a uniformly chosen element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T {
        items[below(items.count)]
    }

    /// Shuffles `items` in place (Fisher–Yates) using this generator.
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, below(i + 1))
        }
    }
}

/// Deterministic, platform-independent hashing (FNV-1a plus a SplitMix finaliser); never Swift's `Hasher`.
public enum StableHash {
    /// The SplitMix64 finaliser: a bijective 64-bit mixer.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Hashes the UTF-8 bytes of `text` to 64 well-mixed bits.
    public static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        return mix(h)
    }
}
