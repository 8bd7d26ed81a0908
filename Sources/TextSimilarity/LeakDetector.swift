import Foundation

/// Finds training texts that leak eval prompts: equal after normalisation, containing the eval prompt,
/// or sharing at least `threshold` of its word n-grams (containment, or Jaccard when asked).
///
/// Uses prefix filtering on an inverted index: each eval prompt indexes only its rarest
/// |S| − ⌈t·|S|⌉ + 1 n-grams, which any training text reaching the threshold must share, so a
/// training text is verified only against eval prompts it shares a rare n-gram with — never all pairs.
public struct LeakDetector: Sendable {
    /// How near-duplicates are measured.
    public enum Measure: String, Sendable {
        /// |eval ∩ train| / |eval|: catches an eval prompt inside longer text.
        case containment
        /// |eval ∩ train| / |eval ∪ train|.
        case jaccard
    }

    /// How a leak was found.
    public enum Kind: String, Sendable {
        /// The same text.
        case exact
        /// The same after normalisation (case, spacing, punctuation).
        case normalized
        /// The normalised eval prompt occurs inside longer training text.
        case embedded
        /// Shares at least the threshold of n-grams.
        case near
    }

    /// One leaked (training text, eval prompt) pair.
    public struct Match: Sendable, Equatable {
        /// Index of the training text.
        public var train: Int
        /// Index of the eval prompt.
        public var eval: Int
        /// How it leaked.
        public var kind: Kind
        /// |eval ∩ train| / |eval| of the n-gram sets.
        public var containment: Double
        /// Jaccard of the n-gram sets.
        public var jaccard: Double
    }

    /// One prepared eval prompt.
    private struct Entry: Sendable {
        /// Raw text.
        var raw: String
        /// Normalised text.
        var normalized: String
        /// Sorted unique n-gram hashes.
        var grams: [UInt64]
        /// The n-gram size used (smaller than `ngram` for short prompts).
        var size: Int
    }

    /// Word n-gram size.
    let ngram: Int
    /// Similarity at or above which a pair leaks.
    let threshold: Double
    /// The similarity measure.
    let measure: Measure
    /// Prepared eval prompts.
    private let entries: [Entry]
    /// Normalised eval text → eval indices.
    private let exact: [String: [Int32]]
    /// Prefix n-gram → eval indices.
    private let index: [UInt64: [Int32]]
    /// N-gram sizes of short eval prompts (shorter than `ngram` words).
    private let shortSizes: [Int]

    /// Prepares `evalTexts` for scanning.
    /// - Complexity: O(total eval words × log).
    public init(evalTexts: [String], ngram: Int, threshold: Double, measure: Measure) {
        self.ngram = ngram
        self.threshold = threshold
        self.measure = measure
        let entries = evalTexts.map { raw -> Entry in
            let normalized = GateText.normalize(raw)
            let words = GateText.words(normalized)
            return Entry(raw: raw, normalized: normalized, grams: GateText.wordShingles(words, n: ngram), size: min(ngram, words.count))
        }
        var frequency: [UInt64: Int] = [:]
        var exact: [String: [Int32]] = [:]
        for (i, entry) in entries.enumerated() where !entry.grams.isEmpty {
            for gram in entry.grams { frequency[gram, default: 0] += 1 }
            exact[entry.normalized, default: []].append(Int32(i))
        }
        var index: [UInt64: [Int32]] = [:]
        for (i, entry) in entries.enumerated() where !entry.grams.isEmpty {
            let count = entry.grams.count
            let needed = max(1, Int((threshold * Double(count) - 1e-9).rounded(.up)))
            let prefix = entry.grams.sorted { (frequency[$0]!, $0) < (frequency[$1]!, $1) }.prefix(count - needed + 1)
            for gram in prefix { index[gram, default: []].append(Int32(i)) }
        }
        self.entries = entries
        self.exact = exact
        self.index = index
        self.shortSizes = Set(entries.map(\.size)).filter { $0 > 0 && $0 < ngram }.sorted()
    }

    /// Every leaked pair among `texts`, ordered by training index then eval index; uses `threads` threads.
    public func scan(_ texts: [String], threads: Int = 1) -> [Match] {
        let chunks = max(1, min(threads, texts.count / 256 + 1))
        let results = LockedMatches()
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var found: [Match] = []
            var start = texts.count * chunk / chunks
            let end = texts.count * (chunk + 1) / chunks
            while start < end {
                found += matches(of: texts[start], at: start)
                start += 1
            }
            results.append(found)
        }
        return results.all.sorted { ($0.train, $0.eval) < ($1.train, $1.eval) }
    }

    /// The eval prompts training text `text` (number `position`) leaks.
    func matches(of text: String, at position: Int) -> [Match] {
        let normalized = GateText.normalize(text)
        let words = GateText.words(normalized)
        guard !words.isEmpty else { return [] }
        var gramsBySize: [Int: [UInt64]] = [ngram: GateText.wordShingles(words, n: ngram)]
        for size in shortSizes where size <= words.count { gramsBySize[size] = GateText.wordShingles(words, n: size) }
        var candidates = Set(exact[normalized] ?? [])
        for grams in gramsBySize.values {
            for gram in grams { if let hits = index[gram] { candidates.formUnion(hits) } }
        }
        var found: [Match] = []
        for candidate in candidates.sorted() {
            let entry = entries[Int(candidate)]
            let grams = gramsBySize[entry.size] ?? []
            let common = GateText.intersectionCount(entry.grams, grams)
            let containment = Double(common) / Double(entry.grams.count)
            let union = entry.grams.count + grams.count - common
            let jaccard = union == 0 ? 0 : Double(common) / Double(union)
            let kind: Kind
            if entry.normalized == normalized {
                kind = entry.raw == text ? .exact : .normalized
            } else if GateText.containsWords(normalized, entry.normalized) {
                kind = .embedded
            } else if (measure == .containment ? containment : jaccard) >= threshold {
                kind = .near
            } else {
                continue
            }
            found.append(Match(train: position, eval: Int(candidate), kind: kind, containment: containment, jaccard: jaccard))
        }
        return found
    }
}

/// Matches collected from worker threads.
private final class LockedMatches: @unchecked Sendable {
    /// Guards `all`.
    private let lock = NSLock()
    /// Every match appended so far.
    private(set) var all: [LeakDetector.Match] = []

    /// Appends `matches` under the lock.
    func append(_ matches: [LeakDetector.Match]) {
        lock.lock()
        all += matches
        lock.unlock()
    }
}
