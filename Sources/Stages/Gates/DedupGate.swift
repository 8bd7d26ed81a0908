import EngineCore
import Foundation
import TextSimilarity

/// `gate.dedup`: exact duplicates after normalisation and near-duplicates (MinHash-LSH candidates
/// verified by exact Jaccard) within each input set; for preferences also pairs whose chosen equals rejected
/// (same text up to surrounding whitespace: pairs that differ only in punctuation still teach format).
public struct DedupGate: StageKind {
    /// "gate.dedup".
    public let name = "gate.dedup"
    /// Implementation version.
    public let version = 2
    /// Any input roles (JSONL sets; format from the role name or `params.formats`).
    public let inputs: [InputSpec]? = nil
    /// `verdict` and `outcome`.
    public let outputs: [String]? = GateSupport.outputs
    /// Declared params.
    public let params = GateSupport.commonParams + [
        ParamSpec("formats", .object, summary: "input role → format when the role name does not say"),
        ParamSpec("shingle", .string, summary: "\"word\" (default) or \"char\" n-grams"),
        ParamSpec("ngram", .integer, summary: "shingle size (default 3 words or 5 characters)"),
        ParamSpec("near_threshold", .number, summary: "Jaccard at or above which two records are near-duplicates (default 0.9)"),
        ParamSpec("bands", .integer, summary: "LSH bands (default 16)"),
        ParamSpec("rows", .integer, summary: "MinHash rows per band (default 8)"),
        ParamSpec("max_exact_fraction", .number, summary: "tolerated fraction of exact duplicates per set (default 0.01)"),
        ParamSpec("max_near_fraction", .number, summary: "tolerated fraction of near-duplicates per set (default 0.05)"),
        ParamSpec("max_identical_pairs", .integer, summary: "tolerated preference pairs with chosen == rejected (default 0)"),
    ]

    /// Creates the kind.
    public init() {}

    /// The settings of one run.
    struct Settings {
        /// Character shingles instead of word shingles.
        var characterShingles = false
        /// Shingle size.
        var ngram = 3
        /// Near-duplicate Jaccard threshold.
        var nearThreshold = 0.9
        /// LSH bands.
        var bands = 16
        /// Rows per band.
        var rows = 8
        /// Tolerated exact-duplicate fraction.
        var maxExactFraction = 0.01
        /// Tolerated near-duplicate fraction.
        var maxNearFraction = 0.05
        /// Tolerated chosen == rejected pairs.
        var maxIdenticalPairs = 0
    }

    /// Checks every input and records the verdict.
    public func run(_ context: StageContext) throws {
        let params = GateParams(context)
        let characters = try params.choice("shingle", default: "word", allowed: ["word", "char"]) == "char"
        let settings = Settings(characterShingles: characters,
                                ngram: try params.int("ngram", default: characters ? 5 : 3, range: 1...64),
                                nearThreshold: try params.double("near_threshold", default: 0.9, range: 0.01...1),
                                bands: try params.int("bands", default: 16, range: 1...256),
                                rows: try params.int("rows", default: 8, range: 1...64),
                                maxExactFraction: try params.double("max_exact_fraction", default: 0.01, range: 0...1),
                                maxNearFraction: try params.double("max_near_fraction", default: 0.05, range: 0...1),
                                maxIdenticalPairs: try params.int("max_identical_pairs", default: 0, range: 0...Int.max))
        try GateSupport.finish(Self.evaluate(try GateDataset.inputs(of: context), settings: settings), gate: name, context: context)
    }

    /// The evaluation of `datasets` with `settings`.
    static func evaluate(_ datasets: [GateDataset], settings: Settings) -> GateEvaluation {
        var evaluation = GateEvaluation()
        evaluation.thresholds = ["near_threshold": settings.nearThreshold]
        for dataset in datasets { evaluate(dataset, settings: settings, into: &evaluation) }
        return evaluation
    }

    /// Adds one set's figures, findings and threshold checks.
    private static func evaluate(_ dataset: GateDataset, settings: Settings, into evaluation: inout GateEvaluation) {
        var firstLine: [String: Int] = [:]
        var lsh = MinHashLSH(bands: settings.bands, rows: settings.rows)
        var shingles: [[UInt64]] = []
        var lines: [Int] = []
        var exact = 0, near = 0, identical = 0
        for record in dataset.records {
            let normalized = record.fields.map { TextNormalization.key($0.text) }
            if dataset.format == .preferences,
               record.text("chosen").trimmingCharacters(in: .whitespacesAndNewlines) == record.text("rejected").trimmingCharacters(in: .whitespacesAndNewlines) {
                identical += 1
                evaluation.findings.append(GateFinding(kind: "chosen_equals_rejected", file: dataset.file, line: record.line, field: "rejected",
                                                       message: "chosen and rejected are the same text; the pair teaches nothing"))
            }
            let key = normalized.map(TextNormalization.spaceless).joined(separator: "\u{1F}")
            if let first = firstLine[key] {
                exact += 1
                evaluation.findings.append(GateFinding(kind: "exact_duplicate", file: dataset.file, line: record.line,
                                                       message: "same as line \(first) after normalisation",
                                                       related: GateLocation(file: dataset.file, line: first), score: 1))
                continue
            }
            firstLine[key] = record.line
            let joined = normalized.joined(separator: " ")
            let set = settings.characterShingles ? GateText.charShingles(joined, n: settings.ngram)
                                                 : GateText.wordShingles(GateText.words(joined), n: settings.ngram)
            guard !set.isEmpty else { continue }
            let signature = lsh.signature(set)
            for candidate in lsh.candidates(signature) {
                let similarity = GateText.jaccard(set, shingles[candidate])
                guard similarity >= settings.nearThreshold else { continue }
                near += 1
                evaluation.findings.append(GateFinding(kind: "near_duplicate", file: dataset.file, line: record.line,
                                                       message: String(format: "near-duplicate of line %d (Jaccard %.3f)", lines[candidate], similarity),
                                                       related: GateLocation(file: dataset.file, line: lines[candidate]), score: similarity))
                break
            }
            lsh.insert(shingles.count, signature: signature)
            shingles.append(set)
            lines.append(record.line)
        }
        let count = Double(max(1, dataset.records.count))
        let role = dataset.role
        evaluation.figures["\(role).records"] = Double(dataset.records.count)
        evaluation.figures["\(role).exact_duplicates"] = Double(exact)
        evaluation.figures["\(role).near_duplicates"] = Double(near)
        evaluation.figures["\(role).exact_fraction"] = Double(exact) / count
        evaluation.figures["\(role).near_fraction"] = Double(near) / count
        evaluation.check("max_exact_fraction", limit: settings.maxExactFraction, violated: Double(exact) / count > settings.maxExactFraction,
                         "\(dataset.file): \(exact) exact duplicate(s), \(fraction(Double(exact) / count)) > \(fraction(settings.maxExactFraction))")
        evaluation.check("max_near_fraction", limit: settings.maxNearFraction, violated: Double(near) / count > settings.maxNearFraction,
                         "\(dataset.file): \(near) near-duplicate(s), \(fraction(Double(near) / count)) > \(fraction(settings.maxNearFraction))")
        if dataset.format == .preferences {
            evaluation.figures["\(role).identical_pairs"] = Double(identical)
            evaluation.check("max_identical_pairs", limit: Double(settings.maxIdenticalPairs), violated: identical > settings.maxIdenticalPairs,
                             "\(dataset.file): \(identical) pair(s) with chosen == rejected > \(settings.maxIdenticalPairs)")
        }
        if exact + near + identical > 0 {
            evaluation.warnings.append("\(dataset.file): \(exact) exact, \(near) near-duplicate(s), \(identical) identical pair(s)")
        }
    }

    /// A fraction as a percentage.
    private static func fraction(_ value: Double) -> String {
        String(format: "%.2f%%", value * 100)
    }
}
