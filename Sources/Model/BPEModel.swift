import Foundation

/// The BPE model of a byte-level tokenizer: vocabulary, ranked merges, and a cache of merged words.
///
/// A word is the UTF-8 bytes of one pre-token. Its symbols start as the ids of its bytes'
/// byte-level characters; then the adjacent pair with the lowest merge rank (the leftmost among
/// equals) is merged until no pair has a merge, which is `tokenizers`' order.
final class BPEModel: @unchecked Sendable {
    /// Token text (byte-level spelling) of each id; nil for ids without a vocabulary entry.
    let tokens: [String?]
    /// The vocabulary, text to id.
    let vocab: [String: Int32]
    /// The merges in rank order, as id pairs.
    let mergePairs: [(Int32, Int32)]
    /// The id of each byte's byte-level character, or -1 when the vocabulary lacks it.
    let byteIds: [Int32]
    /// Merge of (left id, right id) packed as `left << 32 | right`, to `rank << 32 | merged id`.
    private let merges: [UInt64: UInt64]
    /// Ids of whole words by their raw bytes, used when `ignoreMerges` (Llama 3).
    private let words: [ArraySlice<UInt8>: Int32]
    /// Whether a word in the vocabulary becomes its id without merging.
    let ignoreMerges: Bool
    /// The unknown token for bytes missing from the vocabulary (else they are dropped, as `tokenizers` does).
    let unknown: Int32?

    private var cache: [BPEWordKey: [Int32]] = [:]
    private let lock = NSLock()
    private static let cacheLimit = 100_000
    /// Ids must be below this (2²⁴, far above real vocabularies), so a corrupt file cannot make us allocate gigabytes.
    static let maximumID: Int32 = 1 << 24
    private static let cachedWordLength = 256
    /// Words with more symbols than this merge through a heap (O(n log n)) instead of rescanning (O(n²)).
    static let heapThreshold = 64

    /// A model from a vocabulary and merges given as token texts; errors name `file` and the JSON path (`where`).
    init(vocab: [String: Int32], merges: [(String, String)], ignoreMerges: Bool, unknown: String?,
         file: String, where path: String) throws {
        self.vocab = vocab
        self.ignoreMerges = ignoreMerges
        for (text, id) in vocab where !(0..<Self.maximumID).contains(id) {
            throw TokenizerError.invalidBPE(file: file, path: "\(path).vocab[\"\(text)\"]",
                                            problem: "id \(id) is outside 0..<\(Self.maximumID)")
        }
        var tokens = [String?](repeating: nil, count: Int(vocab.values.max() ?? -1) + 1)
        for (text, id) in vocab { tokens[Int(id)] = text }
        self.tokens = tokens
        byteIds = BPEByteLevel.alphabet.map { vocab[$0] ?? -1 }
        if let unknown {
            guard let id = vocab[unknown] else {
                throw TokenizerError.invalidBPE(file: file, path: "\(path).unk_token",
                                                problem: "unknown token \"\(unknown)\" is not in the vocabulary")
            }
            self.unknown = id
        } else {
            self.unknown = nil
        }
        var table: [UInt64: UInt64] = [:]
        table.reserveCapacity(merges.count)
        var pairs: [(Int32, Int32)] = []
        pairs.reserveCapacity(merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            for part in [left, right] where vocab[part] == nil {
                throw TokenizerError.invalidBPE(file: file, path: "\(path).merges[\(rank)]",
                                                problem: "merge \"\(left) \(right)\" uses \"\(part)\", which is not in the vocabulary")
            }
            guard let merged = vocab[left + right] else {
                throw TokenizerError.invalidBPE(file: file, path: "\(path).merges[\(rank)]",
                                                problem: "merge \"\(left) \(right)\" makes \"\(left + right)\", which is not in the vocabulary")
            }
            let key = UInt64(UInt32(bitPattern: vocab[left]!)) << 32 | UInt64(UInt32(bitPattern: vocab[right]!))
            table[key] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merged))  // a repeated pair keeps its last rank, as in `tokenizers`
            pairs.append((vocab[left]!, vocab[right]!))
        }
        self.merges = table
        mergePairs = pairs
        var words: [ArraySlice<UInt8>: Int32] = [:]
        if ignoreMerges {
            for (text, id) in vocab {
                if let bytes = BPEByteLevel.bytes(of: text) { words[ArraySlice(bytes)] = id }
            }
        }
        self.words = words
    }

    /// The ids of one word (pre-token bytes), from the cache when seen before.
    /// - Complexity: O(n²) in the word's byte count on a cache miss, O(n) on a hit.
    func encode(_ word: ArraySlice<UInt8>) -> [Int32] {
        if ignoreMerges, let id = words[word] { return [id] }
        let cacheable = word.count <= Self.cachedWordLength
        let key = BPEWordKey(word)
        if cacheable {
            lock.lock()
            let hit = cache[key]
            lock.unlock()
            if let hit { return hit }
        }
        let ids = merge(word)
        if cacheable {
            lock.lock()
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[key.copied()] = ids
            lock.unlock()
        }
        return ids
    }

    /// The merge of two ids as `rank << 32 | merged id`, or nil.
    @inline(__always)
    func lookupMerge(_ left: Int32, _ right: Int32) -> UInt64? {
        merges[UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))]
    }

    /// The ids of a word: its bytes' ids, merged.
    private func merge(_ word: ArraySlice<UInt8>) -> [Int32] {
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        var previousUnknown = false
        for byte in word {
            let id = byteIds[Int(byte)]
            if id >= 0 {
                symbols.append(id)
                previousUnknown = false
            } else if let unknown, !previousUnknown {
                symbols.append(unknown)
                previousUnknown = true
            }
        }
        guard symbols.count > 1 else { return symbols }
        return symbols.count > Self.heapThreshold ? mergeWithHeap(symbols) : mergeByScanning(symbols)
    }

    /// The merge loop for short words: rescan the pair ranks for the lowest (leftmost among equals).
    /// - Complexity: O(n²) in the number of symbols.
    func mergeByScanning(_ initial: [Int32]) -> [Int32] {
        var symbols = initial
        guard symbols.count > 1 else { return symbols }
        let none = UInt64.max
        var ranks = [UInt64](repeating: none, count: symbols.count)
        for index in 0..<symbols.count - 1 {
            ranks[index] = lookupMerge(symbols[index], symbols[index + 1]) ?? none
        }
        while true {
            var best = none
            var at = -1
            for index in 0..<symbols.count - 1 where ranks[index] < best {
                best = ranks[index]
                at = index
            }
            if at < 0 { break }
            symbols[at] = Int32(bitPattern: UInt32(truncatingIfNeeded: best))
            symbols.remove(at: at + 1)
            ranks.remove(at: at + 1)
            ranks[at] = at + 1 < symbols.count ? (lookupMerge(symbols[at], symbols[at + 1]) ?? none) : none
            if at > 0 { ranks[at - 1] = lookupMerge(symbols[at - 1], symbols[at]) ?? none }
        }
        return symbols
    }
}

extension BPEModel {
    /// The merge loop for long words (e.g. a base64 blob): symbols in a linked list, candidate merges in a
    /// min-heap keyed by (rank, position of the left symbol), stale candidates skipped when popped.
    /// Gives the same result as the rescanning loop, as `tokenizers`' `Word::merge_all` does.
    /// - Complexity: O(n log n) in the number of symbols.
    func mergeWithHeap(_ initial: [Int32]) -> [Int32] {
        var ids = initial
        let count = ids.count
        var next = Array(1...count)  // `count` means none
        var previous = Array(-1..<(count - 1))
        var alive = [Bool](repeating: true, count: count)
        var heap = BPEMinHeap()
        func push(_ left: Int) {
            guard left >= 0, next[left] < count, let merge = lookupMerge(ids[left], ids[next[left]]) else { return }
            heap.push(merge & 0xFFFF_FFFF_0000_0000 | UInt64(left))
        }
        for index in 0..<count - 1 { push(index) }
        while let top = heap.pop() {
            let left = Int(top & 0xFFFF_FFFF)
            guard alive[left], next[left] < count, let merge = lookupMerge(ids[left], ids[next[left]]),
                  merge >> 32 == top >> 32 else { continue }
            let right = next[left]
            ids[left] = Int32(bitPattern: UInt32(truncatingIfNeeded: merge))
            alive[right] = false
            next[left] = next[right]
            if next[right] < count { previous[next[right]] = left }
            push(previous[left])
            push(left)
        }
        var result: [Int32] = []
        var index = 0
        while index < count {
            result.append(ids[index])
            index = next[index]
        }
        return result
    }
}

/// A binary min-heap of packed (rank, position) keys.
struct BPEMinHeap {
    private var items: [UInt64] = []

    /// Adds `item`.
    mutating func push(_ item: UInt64) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the smallest item, or nil when empty.
    mutating func pop() -> UInt64? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count && items[left] < items[smallest] { smallest = left }
            if right < items.count && items[right] < items[smallest] { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}

/// A word's bytes as a dictionary key, hashed once with FNV-1a (hashing a slice byte by byte through
/// `Hasher` costs more than the merge lookups it saves).
struct BPEWordKey: Hashable {
    /// The bytes (a slice of the caller's buffer until `copied()`).
    let bytes: ArraySlice<UInt8>
    /// FNV-1a of the bytes.
    let hash: UInt64

    /// The key of `bytes`.
    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        self.hash = hash
    }

    private init(bytes: ArraySlice<UInt8>, hash: UInt64) {
        self.bytes = bytes
        self.hash = hash
    }

    /// The same key owning a copy of its bytes (so a cache entry does not keep a whole text alive).
    func copied() -> BPEWordKey {
        BPEWordKey(bytes: ArraySlice(Array(bytes)), hash: hash)
    }

    /// Equal hashes and equal bytes.
    static func == (lhs: BPEWordKey, rhs: BPEWordKey) -> Bool {
        lhs.hash == rhs.hash && lhs.bytes.elementsEqual(rhs.bytes)
    }

    /// Feeds the precomputed hash.
    func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }
}

/// GPT-2's byte-level alphabet: the printable character standing for each byte.
enum BPEByteLevel {
    /// The character of each byte (`Ġ` for a space).
    static let alphabet: [String] = HFTokenizerFile.byteLevelAlphabet
    /// The byte of each alphabet character.
    static let byteOf: [Unicode.Scalar: UInt8] = Dictionary(
        uniqueKeysWithValues: alphabet.enumerated().map { ($1.unicodeScalars.first!, UInt8($0)) })

    /// The raw bytes a byte-level token text stands for, or nil when it has a character outside the alphabet.
    static func bytes(of text: String) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard let byte = byteOf[scalar] else { return nil }
            result.append(byte)
        }
        return result
    }

    /// What the `ByteLevel` decoder makes of a token text: alphabet characters become their bytes,
    /// other characters stay as their UTF-8.
    static func decodedBytes(of text: String) -> [UInt8] {
        var result: [UInt8] = []
        for scalar in text.unicodeScalars {
            if let byte = byteOf[scalar] { result.append(byte) } else { result += Array(String(scalar).utf8) }
        }
        return result
    }
}
