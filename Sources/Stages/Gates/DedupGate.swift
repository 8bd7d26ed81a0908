import EngineCore
import Foundation
import TextSimilarity

/// `gate.dedup`: exact duplicates after normalisation and near-duplicates (MinHash-LSH candidates
/// verified by exact Jaccard) within each input set; for preferences also pairs whose chosen equals rejected
/// (same text up to surrounding whitespace: pairs that differ only in punctuation still teach format).
public struct DedupGate: StageKind {
    /// "gate.dedup".
    public let name = "gate.dedup"
    /// Version 3: conversational prompts and pairs are read (their system message and earlier turns are text fields).
    public let version = 3
    /// Any input roles (JSONL sets; format from the role name or `params.formats`).
    public let inputs: [InputSpec]? = nil
    /// `verdict` and `outcome`.
    public let outputs: [String]? = GateSupport.outputs
    /// Finds duplicates.
    public let summary = "exact and near-duplicate records within each JSONL input, and preference pairs whose chosen equals rejected (inputs: any roles, each a JSONL set whose format its name gives: sft…, pref…, prompt…/eval…/ppo…, or params.formats)"

    /// The params of a `gate.dedup` node, each declared once.
    struct Declarations: ParamDeclarations {
        /// Severity and findings.
        let common = GateSupport.common
        /// Role formats.
        let formats = RecordFormat.formats
        /// Shingle unit.
        let shingle = Param.choice("shingle", default: "word", among: ["word", "char"], "word or character n-grams")
        /// Shingle size.
        let ngram = Param.integer("ngram", default: nil, derived: "3 words or 5 characters", in: 1...64, "shingle size")
        /// Near threshold.
        let nearThreshold = Param.number("near_threshold", default: 0.9, in: 0.01...1, "Jaccard at or above which two records are near-duplicates")
        /// LSH bands.
        let bands = Param.integer("bands", default: 16, in: 1...256, "LSH bands")
        /// Rows per band.
        let rows = Param.integer("rows", default: 8, in: 1...64, "MinHash rows per band")
        /// Exact bound.
        let maxExactFraction = Param.number("max_exact_fraction", default: 0.01, in: 0...1, "tolerated fraction of exact duplicates per set")
        /// Near bound.
        let maxNearFraction = Param.number("max_near_fraction", default: 0.05, in: 0...1, "tolerated fraction of near-duplicates per set")
        /// Identical pairs bound.
        let maxIdenticalPairs = Param.integer("max_identical_pairs", default: 0, in: 0...Int(Int32.max),
                                              "tolerated preference pairs with chosen == rejected")
    }

    /// The declarations.
    static let declared = Declarations()
    /// Declared params.
    public var params: [ParamSpec] { Self.declared.specs }
    /// Every input's format must be known.
    public var rules: [ParamRule] { [RecordFormat.rule()] }

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
        let params = try checkedParams(context)
        let d = Self.declared
        let characters = try params.value(d.shingle) == "char"
        let settings = Settings(characterShingles: characters,
                                ngram: try params.value(d.ngram, default: characters ? 5 : 3),
                                nearThreshold: try params.value(d.nearThreshold),
                                bands: try params.value(d.bands),
                                rows: try params.value(d.rows),
                                maxExactFraction: try params.value(d.maxExactFraction),
                                maxNearFraction: try params.value(d.maxNearFraction),
                                maxIdenticalPairs: try params.value(d.maxIdenticalPairs))
        try GateSupport.finish(Self.evaluate(try GateDataset.inputs(of: context), settings: settings), gate: name, context: context)
    }

    /// The evaluation of `datasets` with `settings`.
    static func evaluate(_ datasets: [GateDataset], settings: Settings) -> GateEvaluation {
        var evaluation = GateEvaluation()
        evaluation.thresholds = ["near_threshold": settings.nearThreshold]
        for dataset in datasets { evaluate(dataset, settings: settings, into: &evaluation) }
        return evaluation
    }

    /// What a response is compared by when the gate asks whether chosen equals rejected: its text without
    /// leading and trailing whitespace. The preference builder dedups candidates by the same key.
    static func responseKey(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
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
               responseKey(record.text("chosen")) == responseKey(record.text("rejected")) {
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
