import Foundation

/// Finds training texts that leak eval prompts: equal after normalisation (look-alike letters, invisible and
/// no-break characters, case, spacing and punctuation folded), containing the eval prompt, sharing at least
/// `threshold` of its word n-grams (containment, or Jaccard when asked), or, for short prompts, a few light
/// word edits away (`WordEditRule`).
///
/// Uses prefix filtering on inverted indexes: each eval prompt indexes only its rarest
/// |S| − ⌈t·|S|⌉ + 1 n-grams, which any training text reaching the threshold must share, and each short eval
/// prompt indexes its rarest k + 1 words, one of which any text within k word edits must hold, so a
/// training text is verified only against eval prompts it shares a rare n-gram or word with — never all pairs.
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
        /// The same after normalisation (look-alike letters, invisible characters, case, spacing, punctuation).
        case normalized
        /// The normalised eval prompt occurs inside longer training text.
        case embedded
        /// Shares at least the threshold of n-grams.
        case near
        /// A short prompt with a few function words or synonyms swapped, within the `WordEditRule` budget.
        case edited
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
        /// Weighted word edits between the two (`WordEditRule`), for `edited` leaks; nil otherwise.
        public var edits: Double? = nil
    }

    /// One prepared eval prompt.
    private struct Entry: Sendable {
        /// Raw text.
        var raw: String
        /// Normalised text.
        var normalized: String
        /// Normalised text without spaces.
        var spaceless: String
        /// Sorted unique n-gram hashes.
        var grams: [UInt64]
        /// The n-gram size used (smaller than `ngram` for short prompts).
        var size: Int
        /// Its words for the edit check; empty when the prompt is longer than `WordEditRule.maxWords`.
        var tokens: [EditToken]
        /// Sorted word ids of `tokens` (with repeats).
        var ids: [Int32]
    }

    /// Word n-gram size.
    let ngram: Int
    /// Similarity at or above which a pair leaks.
    let threshold: Double
    /// The similarity measure.
    let measure: Measure
    /// The short-prompt edit rule; nil turns the edit check off.
    let edits: WordEditRule?
    /// Prepared eval prompts.
    private let entries: [Entry]
    /// Normalised eval text → eval indices.
    private let exact: [String: [Int32]]
    /// Normalised eval text without spaces → eval indices.
    private let spaceless: [String: [Int32]]
    /// Prefix n-gram → eval indices.
    private let index: [UInt64: [Int32]]
    /// N-gram sizes of short eval prompts (shorter than `ngram` words).
    private let shortSizes: [Int]
    /// Words of the short eval prompts → vocabulary id.
    private let vocabulary: [Substring: Int32]
    /// Prefix word id → short eval prompts, with their word counts, allowed edits (to filter by length first) and
    /// how many of their indexed words a text within the budget must hold.
    private let wordIndex: [Int32: [(eval: Int32, words: Int16, edits: Int16, needed: Int16)]]

    /// Prepares `evalTexts` for scanning; `edits` nil turns the short-prompt edit check off.
    /// - Complexity: O(total eval words × log).
    public init(evalTexts: [String], ngram: Int, threshold: Double, measure: Measure, edits: WordEditRule? = WordEditRule()) {
        self.ngram = ngram
        self.threshold = threshold
        self.measure = measure
        self.edits = edits
        var vocabulary: [Substring: Int32] = [:]
        let entries = evalTexts.map { raw -> Entry in
            let normalized = TextNormalization.key(raw)
            let words = GateText.words(normalized)
            var tokens: [EditToken] = []
            if let edits, words.count <= edits.maxWords {
                tokens = words.map { word in
                    let id = vocabulary[word] ?? Int32(vocabulary.count)
                    vocabulary[word] = id
                    return EditToken(word, id: id)
                }
            }
            return Entry(raw: raw, normalized: normalized, spaceless: TextNormalization.spaceless(normalized), grams: GateText.wordShingles(words, n: ngram), size: min(ngram, words.count),
                         tokens: tokens, ids: tokens.map(\.id).sorted())
        }
        var frequency: [UInt64: Int] = [:]
        var exact: [String: [Int32]] = [:], spaceless: [String: [Int32]] = [:]
        var wordFrequency: [Int32: Int] = [:]
        for (i, entry) in entries.enumerated() where !entry.grams.isEmpty {
            for gram in entry.grams { frequency[gram, default: 0] += 1 }
            for id in Set(entry.ids) { wordFrequency[id, default: 0] += 1 }
            exact[entry.normalized, default: []].append(Int32(i))
            spaceless[entry.spaceless, default: []].append(Int32(i))
        }
        var index: [UInt64: [Int32]] = [:], wordIndex: [Int32: [(eval: Int32, words: Int16, edits: Int16, needed: Int16)]] = [:]
        for (i, entry) in entries.enumerated() where !entry.grams.isEmpty {
            let count = entry.grams.count
            let needed = max(1, Int((threshold * Double(count) - 1e-9).rounded(.up)))
            let prefix = entry.grams.sorted { (frequency[$0]!, $0) < (frequency[$1]!, $1) }.prefix(count - needed + 1)
            for gram in prefix { index[gram, default: []].append(Int32(i)) }
            if let edits, !entry.tokens.isEmpty {
                let rarest = Set(entry.ids).sorted { (wordFrequency[$0]!, $0) < (wordFrequency[$1]!, $1) }
                // Indexing k + 3 words and asking for all but k of them keeps the guarantee of a prefix of
                // k + 1 while cutting the candidates a frequent word brings.
                let allowed = edits.maxEdits(words: entry.tokens.count)
                let indexed = rarest.prefix(allowed + 3)
                for id in indexed {
                    wordIndex[id, default: []].append((Int32(i), Int16(entry.tokens.count), Int16(allowed), Int16(max(1, indexed.count - allowed))))
                }
            }
        }
        self.entries = entries
        self.exact = exact
        self.spaceless = spaceless
        self.index = index
        self.shortSizes = Set(entries.map(\.size)).filter { $0 > 0 && $0 < ngram }.sorted()
        self.vocabulary = vocabulary
        self.wordIndex = wordIndex
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
        let normalized = TextNormalization.key(text)
        let words = GateText.words(normalized)
        guard !words.isEmpty else { return [] }
        var gramsBySize: [Int: [UInt64]] = [ngram: GateText.wordShingles(words, n: ngram)]
        for size in shortSizes where size <= words.count { gramsBySize[size] = GateText.wordShingles(words, n: size) }
        let squeezed = TextNormalization.spaceless(normalized)
        var candidates = Set(exact[normalized] ?? []).union(spaceless[squeezed] ?? [])
        for grams in gramsBySize.values {
            for gram in grams { if let hits = index[gram] { candidates.formUnion(hits) } }
        }
        var found: [Match] = []
        for candidate in candidates.sorted() {
            let entry = entries[Int(candidate)]
            let grams = gramsBySize[entry.size] ?? []
            let (containment, jaccard) = similarity(entry.grams, grams)
            let kind: Kind
            if entry.normalized == normalized || entry.spaceless == squeezed {
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
        if let edits { found += editMatches(words, rule: edits, at: position, gramsBySize: gramsBySize, skipping: found.map(\.eval)) }
        return found.sorted { $0.eval < $1.eval }
    }

    /// Containment and Jaccard of an eval prompt's n-grams against a training text's.
    private func similarity(_ eval: [UInt64], _ train: [UInt64]) -> (containment: Double, jaccard: Double) {
        let common = GateText.intersectionCount(eval, train)
        let union = eval.count + train.count - common
        return (Double(common) / Double(max(1, eval.count)), union == 0 ? 0 : Double(common) / Double(union))
    }

    /// The short eval prompts within `rule`'s edit budget of training words `words`, except those in `skipping`.
    private func editMatches(_ words: [Substring], rule: WordEditRule, at position: Int, gramsBySize: [Int: [UInt64]],
                             skipping: [Int]) -> [Match] {
        guard words.count <= rule.maxWords + rule.maxEdits(words: rule.maxWords) else { return [] }
        let known = words.map { vocabulary[$0] ?? -1 }
        let ids = known.filter { $0 >= 0 }.sorted()
        var hits: [(eval: Int32, needed: Int16)] = []
        for (offset, id) in ids.enumerated() where offset == 0 || ids[offset - 1] != id {
            for hit in wordIndex[id] ?? [] where abs(Int(hit.words) - words.count) <= Int(hit.edits) { hits.append((hit.eval, hit.needed)) }
        }
        guard !hits.isEmpty else { return [] }
        hits.sort { $0.eval < $1.eval }
        var candidates: [Int32] = []
        var run = 0
        for (offset, hit) in hits.enumerated() {
            run = offset > 0 && hits[offset - 1].eval == hit.eval ? run + 1 : 1
            if run == Int(hit.needed) && !skipping.contains(Int(hit.eval)) { candidates.append(hit.eval) }
        }
        var tokens: [EditToken] = []
        var found: [Match] = []
        for candidate in candidates {
            let entry = entries[Int(candidate)]
            guard entry.tokens.count - GateText.intersectionCount(entry.ids, ids) <= rule.maxEdits(words: entry.tokens.count) else { continue }
            if tokens.isEmpty {
                var unknown: Int32 = -1
                tokens = zip(words, known).map { word, id in
                    if id >= 0 { return EditToken(word, id: id) }
                    unknown -= 1
                    return EditToken(word, id: unknown)
                }
            }
            guard let cost = rule.distance(entry.tokens, tokens, limit: rule.budget(words: entry.tokens.count)), cost > 0 else { continue }
            let (containment, jaccard) = similarity(entry.grams, gramsBySize[entry.size] ?? [])
            found.append(Match(train: position, eval: Int(candidate), kind: .edited, containment: containment, jaccard: jaccard, edits: cost))
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
