import Foundation

/// Shingling and set similarity shared by the dedup and leak gates (texts normalised by `TextNormalization.key`).
public enum GateText {
    /// The words of normalised text.
    public static func words(_ normalized: String) -> [Substring] {
        normalized.split(separator: " ")
    }

    /// FNV-1a of the UTF-8 bytes, finished with a 64-bit mixer.
    static func hash<S: StringProtocol>(_ text: S) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return mix(value)
    }

    /// SplitMix64's finaliser: a fast bijective mixer.
    public static func mix(_ input: UInt64) -> UInt64 {
        var z = input &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Sorted, unique hashes of the word `n`-grams of `words`; fewer than `n` words give one gram of them all.
    public static func wordShingles(_ words: [Substring], n: Int) -> [UInt64] {
        guard !words.isEmpty else { return [] }
        let hashes = words.map { hash($0) }
        let size = min(n, hashes.count)
        var grams: [UInt64] = []
        grams.reserveCapacity(hashes.count - size + 1)
        for start in 0...(hashes.count - size) {
            var value = UInt64(size)
            for offset in 0..<size { value = mix(value &* 31 &+ hashes[start + offset]) }
            grams.append(value)
        }
        return uniqueSorted(grams)
    }

    /// Sorted, unique hashes of the character `n`-grams of normalised text (the whole text when shorter).
    public static func charShingles(_ normalized: String, n: Int) -> [UInt64] {
        let characters = Array(normalized)
        guard !characters.isEmpty else { return [] }
        let size = min(n, characters.count)
        var grams: [UInt64] = []
        for start in 0...(characters.count - size) {
            grams.append(hash(String(characters[start..<(start + size)])))
        }
        return uniqueSorted(grams)
    }

    /// `values` sorted with duplicates removed.
    static func uniqueSorted(_ values: [UInt64]) -> [UInt64] {
        var sorted = values.sorted()
        var write = 0
        for read in sorted.indices where read == 0 || sorted[read] != sorted[read - 1] {
            sorted[write] = sorted[read]
            write += 1
        }
        sorted.removeLast(sorted.count - write)
        return sorted
    }

    /// Size of the intersection of two sorted arrays (of the multisets when values repeat).
    /// - Complexity: O(a + b).
    static func intersectionCount<T: Comparable>(_ a: [T], _ b: [T]) -> Int {
        var i = 0, j = 0, count = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] { count += 1; i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        return count
    }

    /// Jaccard similarity of two sorted unique shingle arrays (1 when both are empty).
    public static func jaccard(_ a: [UInt64], _ b: [UInt64]) -> Double {
        let common = intersectionCount(a, b)
        let union = a.count + b.count - common
        return union == 0 ? 1 : Double(common) / Double(union)
    }

    /// Whether normalised `inner` occurs in normalised `outer` on word boundaries.
    static func containsWords(_ outer: String, _ inner: String) -> Bool {
        guard !inner.isEmpty else { return false }
        return (" " + outer + " ").contains(" " + inner + " ")
    }
}
