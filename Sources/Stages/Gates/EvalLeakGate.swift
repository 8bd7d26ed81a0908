import EngineCore
import Foundation
import TextSimilarity

/// `gate.eval_leak`: eval prompts against every training set (SFT prompts and responses, preference
/// prompts, PPO prompts): exact after normalisation, contained in longer text, or near by n-gram
/// containment / Jaccard at a threshold; lists each leaked pair with both files and lines.
public struct EvalLeakGate: StageKind {
    /// "gate.eval_leak".
    public let name = "gate.eval_leak"
    /// Implementation version.
    public let version = 2
    /// Role `eval` (prompts) plus any training-set roles (format from the role name or `params.formats`).
    public let inputs: [InputSpec]? = nil
    /// `verdict` and `outcome`.
    public let outputs: [String]? = GateSupport.outputs
    /// Declared params.
    public let params = GateSupport.commonParams + [
        ParamSpec("formats", .object, summary: "input role → format when the role name does not say"),
        ParamSpec("eval_role", .string, summary: "the input role holding eval prompts (default \"eval\")"),
        ParamSpec("ngram", .integer, summary: "word n-gram size (default 3)"),
        ParamSpec("threshold", .number, summary: "similarity at or above which a pair leaks (default 0.9)"),
        ParamSpec("measure", .string, summary: "\"containment\" (default) or \"jaccard\""),
        ParamSpec("max_leaked_fraction", .number, summary: "tolerated fraction of leaked eval prompts (default 0)"),
        ParamSpec("threads", .integer, summary: "scan threads (default: active processors)"),
    ]

    /// Creates the kind.
    public init() {}

    /// The settings of one run.
    struct Settings {
        /// Word n-gram size.
        var ngram = 3
        /// Leak similarity threshold.
        var threshold = 0.9
        /// Similarity measure.
        var measure = LeakDetector.Measure.containment
        /// Tolerated leaked fraction.
        var maxLeakedFraction = 0.0
        /// Scan threads.
        var threads = 1
    }

    /// One training text: which set, line and field it came from.
    struct Source {
        /// Index of its dataset.
        var dataset: Int
        /// 1-based line.
        var line: Int
        /// JSON field.
        var field: String
    }

    /// Compares the eval prompts with every training set and records the verdict.
    public func run(_ context: StageContext) throws {
        let params = GateParams(context)
        let evalRole = try params.values["eval_role"].map { raw -> String in
            guard let role = raw.stringValue else { throw params.invalid("eval_role", "expected a string") }
            return role
        } ?? "eval"
        guard let evalURL = context.inputs[evalRole] else { throw GateError.missingInput(node: context.node, role: evalRole) }
        let settings = Settings(ngram: try params.int("ngram", default: 3, range: 1...32),
                                threshold: try params.double("threshold", default: 0.9, range: 0.01...1),
                                measure: LeakDetector.Measure(rawValue: try params.choice("measure", default: "containment",
                                                                                          allowed: ["containment", "jaccard"]))!,
                                maxLeakedFraction: try params.double("max_leaked_fraction", default: 0, range: 0...1),
                                threads: try params.int("threads", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...256))
        let eval = try GateDataset.load(evalURL, role: evalRole, format: .prompts,
                                        file: GateSupport.displayPath(evalURL, workspace: context.workspace))
        let training = try GateDataset.inputs(of: context, excluding: [evalRole])
        try GateSupport.finish(Self.evaluate(eval: eval, training: training, settings: settings), gate: name, context: context)
    }

    /// The training texts checked for each set: SFT prompts and responses, preference and PPO prompts.
    static func trainingTexts(_ training: [GateDataset]) -> (texts: [String], sources: [Source]) {
        var texts: [String] = [], sources: [Source] = []
        for (index, dataset) in training.enumerated() {
            let fields = dataset.format == .sft ? ["prompt", "response"] : ["prompt"]
            for record in dataset.records {
                for field in fields {
                    texts.append(record.text(field))
                    sources.append(Source(dataset: index, line: record.line, field: field))
                }
            }
        }
        return (texts, sources)
    }

    /// The evaluation of `eval` against `training`.
    static func evaluate(eval: GateDataset, training: [GateDataset], settings: Settings) -> GateEvaluation {
        let detector = LeakDetector(evalTexts: eval.records.map { $0.text("prompt") }, ngram: settings.ngram,
                                    threshold: settings.threshold, measure: settings.measure)
        let (texts, sources) = trainingTexts(training)
        let matches = detector.scan(texts, threads: settings.threads)
        var evaluation = GateEvaluation()
        var leaked = Set<Int>()
        var byKind: [String: Int] = [:], byRole: [String: Int] = [:]
        for match in matches {
            let source = sources[match.train]
            let dataset = training[source.dataset]
            let evalRecord = eval.records[match.eval]
            leaked.insert(match.eval)
            byKind[match.kind.rawValue, default: 0] += 1
            byRole[dataset.role, default: 0] += 1
            let prompt = evalRecord.text("prompt")
            evaluation.findings.append(GateFinding(
                kind: "leak_\(match.kind.rawValue)", file: dataset.file, line: source.line, field: source.field,
                message: "\(match.kind.rawValue) leak of eval prompt \"\(prompt.prefix(120))\""
                    + String(format: " (containment %.3f, Jaccard %.3f", match.containment, match.jaccard)
                    + (match.edits.map { String(format: ", word edits weighing %.2f", $0) } ?? "") + ")",
                related: GateLocation(file: eval.file, line: evalRecord.line, field: "prompt"),
                score: settings.measure == .containment ? match.containment : match.jaccard))
        }
        let evalCount = eval.records.count
        let fraction = evalCount == 0 ? 0 : Double(leaked.count) / Double(evalCount)
        evaluation.figures["eval_prompts"] = Double(evalCount)
        evaluation.figures["training_texts"] = Double(texts.count)
        evaluation.figures["leaked_eval_prompts"] = Double(leaked.count)
        evaluation.figures["leaked_fraction"] = fraction
        evaluation.figures["leaked_pairs"] = Double(matches.count)
        for (kind, count) in byKind { evaluation.figures["pairs.\(kind)"] = Double(count) }
        for (role, count) in byRole { evaluation.figures["pairs_in.\(role)"] = Double(count) }
        evaluation.thresholds["threshold"] = settings.threshold
        evaluation.thresholds["ngram"] = Double(settings.ngram)
        evaluation.check("max_leaked_fraction", limit: settings.maxLeakedFraction, violated: fraction > settings.maxLeakedFraction,
                         String(format: "%d of %d eval prompts (%.2f%%) leak into training data in %d pair(s)",
                                leaked.count, evalCount, fraction * 100, matches.count))
        if !eval.issues.isEmpty {
            evaluation.warnings.append("\(eval.file): \(eval.issues.count) bad line(s) skipped; see gate.schema")
        }
        return evaluation
    }
}
