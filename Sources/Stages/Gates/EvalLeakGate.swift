import EngineCore
import Foundation
import TextSimilarity

/// `gate.eval_leak`: eval prompts against every training set (SFT prompts and responses, preference
/// prompts, PPO prompts): exact after normalisation, contained in longer text, or near by n-gram
/// containment / Jaccard at a threshold; lists each leaked pair with both files and lines.
public struct EvalLeakGate: StageKind {
    /// "gate.eval_leak".
    public let name = "gate.eval_leak"
    /// Version 3: conversational prompts and pairs are read (their system message and earlier turns are text fields).
    public let version = 3
    /// Role `eval` (prompts) plus any training-set roles (format from the role name or `params.formats`).
    public let inputs: [InputSpec]? = nil
    /// `verdict` and `outcome`.
    public let outputs: [String]? = GateSupport.outputs
    /// Finds eval prompts in training data.
    public let summary = "eval prompts found in any training set (exact, contained or near by n-grams), each leak with both files and lines (inputs: any roles, each a JSONL set whose format its name gives: sft…, pref…, prompt…/eval…/ppo…, or params.formats)"

    /// The params of a `gate.eval_leak` node, each declared once.
    struct Declarations: ParamDeclarations {
        /// Severity and findings.
        let common = GateSupport.common
        /// Role formats.
        let formats = RecordFormat.formats
        /// Eval role.
        let evalRole = Param.text("eval_role", default: "eval", "the input role holding the eval prompts")
        /// N-gram size.
        let ngram = Param.integer("ngram", default: 3, in: 1...32, "word n-gram size")
        /// Leak threshold.
        let threshold = Param.number("threshold", default: 0.9, in: 0.01...1, "similarity at or above which a pair leaks")
        /// Similarity measure.
        let measure = Param.choice("measure", default: "containment", among: ["containment", "jaccard"], "n-gram containment or Jaccard similarity")
        /// Leak bound.
        let maxLeakedFraction = Param.number("max_leaked_fraction", default: 0, in: 0...1, "tolerated fraction of leaked eval prompts")
        /// Scan threads.
        let threads = Param.integer("threads", default: nil, derived: "active processors", in: 1...256, "scan threads")
    }

    /// The declarations.
    static let declared = Declarations()
    /// Declared params.
    public var params: [ParamSpec] { Self.declared.specs }
    /// The eval role must be an input and every other input's format must be known.
    public var rules: [ParamRule] {
        [.stage("eval_role names an input") { params, roles in
            let role = try params.value(Self.declared.evalRole)
            if !roles.contains(role) { throw StagesError.invalidInputs(node: params.node, message: "missing input '\(role)' (the eval prompts); add it under inputs") }
        }, RecordFormat.rule(excluding: { [try $0.value(Self.declared.evalRole)] })]
    }

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
    package struct Source {
        /// Index of its dataset.
        package var dataset: Int
        /// 1-based line.
        package var line: Int
        /// JSON field.
        var field: String
    }

    /// Compares the eval prompts with every training set and records the verdict.
    public func run(_ context: StageContext) throws {
        let params = try checkedParams(context)
        let d = Self.declared
        let evalRole = try params.value(d.evalRole)
        guard let evalURL = context.inputs[evalRole] else { throw StagesError.invalidInputs(node: context.node, message: "missing input '\(evalRole)'; add it under inputs") }
        let settings = Settings(ngram: try params.value(d.ngram), threshold: try params.value(d.threshold), measure: LeakDetector.Measure(rawValue: try params.value(d.measure)) ?? .containment,
                                maxLeakedFraction: try params.value(d.maxLeakedFraction),
                                threads: try params.value(d.threads, default: min(256, ProcessInfo.processInfo.activeProcessorCount)))
        let eval = try GateDataset.load(evalURL, role: evalRole, format: .prompts,
                                        file: context.displayPath(evalURL))
        let training = try GateDataset.inputs(of: context, excluding: [evalRole])
        try GateSupport.finish(Self.evaluate(eval: eval, training: training, settings: settings), gate: name, context: context)
    }

    /// The training texts checked for each set: SFT prompts, responses and texts, preference and PPO prompts with the
    /// earlier turns of conversational ones.
    package static func trainingTexts(_ training: [GateDataset]) -> (texts: [String], sources: [Source]) {
        var texts: [String] = [], sources: [Source] = []
        for (index, dataset) in training.enumerated() {
            let fields: Set<String> = dataset.format == .sft ? ["prompt", "response", "text"] : ["prompt", "history"]
            for record in dataset.records {
                for field in record.fields.map(\.name) where fields.contains(field) {
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
