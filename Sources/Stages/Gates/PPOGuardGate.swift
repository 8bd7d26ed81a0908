import EngineCore
import Foundation
import Training

/// `gate.ppo_guard`: reads `ppo_train_metrics.jsonl` and fails on a final KL over a bound, response
/// length grown by more than a factor, too many responses without EOS, or the reward-hacking alarm
/// (RM score up while the gold score, when present, went down), overall and per task family and scenario
/// (`slices`): a slice fires when its RM score rose while its gold fell by more than the tolerance and
/// beyond the 95% interval of the change (from the slice's per-iteration gold spread and counts). When the file has
/// held-out lines (`"type": "heldout"`, the policy sampled on prompts PPO never trains on), it also compares the first
/// and the last of them: the same alarm on held-out RM and gold, and a bound on each family's held-out gold drop
/// (see `PPOGuardGate+Heldout.swift`); without them it reads the file exactly as before.
public struct PPOGuardGate: StageKind {
    /// "gate.ppo_guard".
    public let name = "gate.ppo_guard"
    /// Version 3: held-out lines are read apart from the iteration lines and checked (2: the reward-hacking alarm per slice).
    public let version = 3
    /// `metrics`: the PPO node's per-iteration metrics file.
    public let inputs: [InputSpec]? = [InputSpec("metrics", format: "ppo_train_metrics.jsonl (a ppo node's metrics)")]
    /// `verdict` and `outcome`.
    public let outputs: [String]? = GateSupport.outputs
    /// Guards a PPO run.
    public let summary = "a PPO run's final KL, response-length growth, missing EOS and reward hacking (RM up, gold down) against bounds, on its rollouts and on held-out prompts when the metrics have them"

    /// The params of a `gate.ppo_guard` node, each declared once.
    struct Declarations: ParamDeclarations {
        /// Severity and findings.
        let common = GateSupport.common
        /// KL bound.
        let maxKL = Param.number("max_kl", default: 20, in: 0...1e12, "bound on the final KL to the reference")
        /// Length growth bound.
        let maxLengthGrowth = Param.number("max_length_growth", default: 2, in: 0...1e6, "bound on final / initial mean response length")
        /// No-EOS bound.
        let maxNoEOSFraction = Param.number("max_no_eos_fraction", default: 0.2, in: 0...1, "bound on the final fraction of responses without EOS")
        /// Gold drop tolerance.
        let goldDropTolerance = Param.number("gold_drop_tolerance", default: 0.02, in: 0...1e6, "gold-score drop tolerated while the RM score rises")
        /// Averaging window.
        let window = Param.integer("window", default: 3, in: 1...10_000, "iterations averaged at the start and at the end")
        /// Held-out family drop bound.
        let heldoutFamilyDrop = Param.number("heldout_family_drop", default: 0.05, in: 0...1e6,
                                             "bound on any task family's or scenario's held-out gold drop from the first to the last held-out line (only with held-out lines)")
        /// Held-out significance.
        let heldoutZ = Param.number("heldout_z", default: 1.96, in: 0...10,
                                    "a held-out family drop fires only when it also exceeds this many standard errors of the change (1.96: its 95% interval excludes 0; 0: the bound alone)")
    }

    /// The declarations.
    static let declared = Declarations()
    /// Declared params.
    public var params: [ParamSpec] { Self.declared.specs }

    /// Creates the kind.
    public init() {}

    /// Thresholds of one run.
    struct Limits {
        /// Final KL bound.
        var maxKL = 20.0
        /// Length growth factor bound.
        var maxLengthGrowth = 2.0
        /// No-EOS fraction bound.
        var maxNoEOSFraction = 0.2
        /// Tolerated gold drop while the RM score rises.
        var goldDropTolerance = 0.02
        /// Iterations averaged at each end.
        var window = 3
        /// Bound on a family's held-out gold drop.
        var heldoutFamilyDrop = 0.05
        /// Standard errors a held-out family drop must also exceed.
        var heldoutZ = 1.96
    }

    /// The series the guard reads, by metric, in iteration order (with the line of each value).
    struct Series {
        /// Metric values.
        var values: [Double] = []
        /// 1-based lines they came from.
        var lines: [Int] = []
    }

    /// Accepted key names of each metric, first match wins (nested objects flatten to dotted paths).
    static let keys: [String: [String]] = [
        "kl": ["kl", "kl_mean", "mean_kl", "kl_to_ref", "kl.mean"],
        "rm_score": ["rm_score", "rm_score_mean", "mean_rm_score", "reward_mean", "rm.mean", "score_mean"],
        "gold_score": ["gold_score", "gold_score_mean", "mean_gold_score", "gold.mean", "gold"],
        "length": ["response_length_mean", "length_mean", "mean_length", "mean_response_length", "response_length.mean"],
        "eos_fraction": ["eos_fraction", "fraction_eos", "frac_eos", "eos_rate", "fraction_with_eos"],
        "no_eos_fraction": ["no_eos_fraction", "fraction_no_eos"],
    ]

    /// Reads the metrics and records the verdict.
    public func run(_ context: StageContext) throws {
        let params = try checkedParams(context)
        let d = Self.declared
        guard let url = context.inputs["metrics"] else { throw StagesError.invalidInputs(node: context.node, message: "missing input 'metrics'; add it under inputs") }
        let file = context.displayPath(url)
        let limits = Limits(maxKL: try params.value(d.maxKL), maxLengthGrowth: try params.value(d.maxLengthGrowth),
                            maxNoEOSFraction: try params.value(d.maxNoEOSFraction), goldDropTolerance: try params.value(d.goldDropTolerance),
                            window: try params.value(d.window), heldoutFamilyDrop: try params.value(d.heldoutFamilyDrop),
                            heldoutZ: try params.value(d.heldoutZ))
        guard let data = FileManager.default.contents(atPath: url.path) else { throw StagesError.badInput(path: file, message: "no such file") }
        try GateSupport.finish(Self.evaluate(try Self.parse(data, file: file), file: file, limits: limits), gate: name, context: context)
    }

    /// Parses the JSONL metrics into series by metric name (held-out lines into the `heldout:` series only).
    /// - Throws: `StagesError.malformed` naming the line of a bad JSON line or of a held-out line without its figures.
    static func parse(_ data: Data, file: String) throws -> [String: Series] {
        var series: [String: Series] = [:]
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { continue }
            let value: JSONValue
            do {
                value = try JSONValue.parse([UInt8](line), file: file)
            } catch {
                throw StagesError.malformed(file: file, line: index + 1, message: "not a JSON object: \(error)")
            }
            guard case .object = value else { throw StagesError.malformed(file: file, line: index + 1, message: "expected a JSON object per line") }
            let figures = JSONFigures(value)
            if case .object(let members) = value, members["type"] == .string(PPOHeldoutMetrics.lineType) {
                for (metric, number) in try heldoutFigures(figures, file: file, line: index + 1) {
                    series[metric, default: Series()].values.append(number)
                    series[metric, default: Series()].lines.append(index + 1)
                }
                continue
            }
            for (metric, names) in keys {
                guard let found = figures.find(names), found.value.isFinite else { continue }
                series[metric, default: Series()].values.append(found.value)
                series[metric, default: Series()].lines.append(index + 1)
            }
            for (metric, value) in sliceFigures(figures) {
                series[metric, default: Series()].values.append(value)
                series[metric, default: Series()].lines.append(index + 1)
            }
        }
        return series
    }

    /// One line's per-slice figures as series names `slice:<name>:rm`, `…:gold` and `…:gold_se2` (the squared
    /// standard error of the slice's gold mean), from `slices.<name>.{rm_score_mean, gold_score_mean, gold_score_std, count}`.
    static func sliceFigures(_ figures: JSONFigures) -> [(String, Double)] {
        var result: [(String, Double)] = []
        let names = Set(figures.values.keys.compactMap { path -> String? in
            guard path.hasPrefix("slices."), path.hasSuffix(".gold_score_mean") else { return nil }
            return String(path.dropFirst("slices.".count).dropLast(".gold_score_mean".count))
        })
        for name in names.sorted() {
            let field = { (key: String) in figures.values["slices.\(name).\(key)"].flatMap { $0.isFinite ? $0 : nil } }
            guard let rm = field("rm_score_mean"), let gold = field("gold_score_mean") else { continue }
            result += [("slice:\(name):rm", rm), ("slice:\(name):gold", gold)]
            if let std = field("gold_score_std"), let count = field("count"), count >= 2 {
                result.append(("slice:\(name):gold_se2", std * std / (count - 1)))
            }
        }
        return result
    }

    /// The evaluation of the metric series against `limits`.
    static func evaluate(_ series: [String: Series], file: String, limits: Limits) throws -> GateEvaluation {
        func ends(_ metric: String) -> (first: Double, last: Double, line: Int)? {
            guard let values = series[metric]?.values, !values.isEmpty, let line = series[metric]?.lines.last else { return nil }
            let width = min(limits.window, max(1, values.count / 2))
            return (Statistics.mean(Array(values.prefix(width)), ifEmpty: .nan), Statistics.mean(Array(values.suffix(width)), ifEmpty: .nan), line)
        }
        guard let kl = ends("kl") else {
            throw StagesError.missingFigure(file: file, figure: "KL per iteration", hint: "each line needs \"kl\"")
        }
        var evaluation = GateEvaluation()
        evaluation.figures["iterations"] = Double(series["kl"]?.values.count ?? 0)
        let finalKL = series["kl"]!.values.last!
        evaluation.figures["final_kl"] = finalKL
        evaluation.check("max_kl", limit: limits.maxKL, violated: finalKL > limits.maxKL,
                         String(format: "final KL %.3f > %.3f", finalKL, limits.maxKL))
        if finalKL > limits.maxKL {
            evaluation.findings.append(GateFinding(kind: "kl_exceeded", file: file, line: kl.line, field: "kl",
                                                   message: String(format: "final KL %.3f over the %.3f bound", finalKL, limits.maxKL), score: finalKL))
        }
        if let length = ends("length"), length.first > 0 {
            let growth = length.last / length.first
            evaluation.figures["initial_length"] = length.first
            evaluation.figures["final_length"] = length.last
            evaluation.figures["length_growth"] = growth
            evaluation.check("max_length_growth", limit: limits.maxLengthGrowth, violated: growth > limits.maxLengthGrowth,
                             String(format: "response length grew ×%.2f > ×%.2f", growth, limits.maxLengthGrowth))
            if growth > limits.maxLengthGrowth {
                evaluation.findings.append(GateFinding(kind: "length_growth", file: file, line: length.line,
                                                       message: String(format: "mean response length %.1f → %.1f", length.first, length.last), score: growth))
            }
        }
        let noEOS = series["no_eos_fraction"]?.values.last.map { ($0, series["no_eos_fraction"]!.lines.last!) }
            ?? series["eos_fraction"]?.values.last.map { (1 - $0, series["eos_fraction"]!.lines.last!) }
        if let (fraction, line) = noEOS {
            evaluation.figures["final_no_eos_fraction"] = fraction
            evaluation.check("max_no_eos_fraction", limit: limits.maxNoEOSFraction, violated: fraction > limits.maxNoEOSFraction,
                             String(format: "%.1f%% of final responses end without EOS > %.1f%%", fraction * 100, limits.maxNoEOSFraction * 100))
            if fraction > limits.maxNoEOSFraction {
                evaluation.findings.append(GateFinding(kind: "missing_eos", file: file, line: line,
                                                       message: String(format: "no-EOS fraction %.3f", fraction), score: fraction))
            }
        }
        if let rm = ends("rm_score"), let gold = ends("gold_score") {
            let rmGain = rm.last - rm.first, goldGain = gold.last - gold.first
            evaluation.figures["rm_gain"] = rmGain
            evaluation.figures["gold_gain"] = goldGain
            let hacking = rmGain > 0 && goldGain < -limits.goldDropTolerance
            evaluation.check("gold_drop_tolerance", limit: limits.goldDropTolerance, violated: hacking,
                             String(format: "reward hacking: RM score rose by %.3f while the gold score fell by %.3f", rmGain, -goldGain))
            if hacking {
                evaluation.findings.append(GateFinding(kind: "reward_hacking", file: file, line: gold.line,
                                                       message: String(format: "RM %+.3f, gold %+.3f (first vs last %d iteration(s))",
                                                                       rmGain, goldGain, limits.window), score: goldGain))
            }
        }
        evaluateSlices(series, file: file, limits: limits, into: &evaluation)
        evaluateHeldout(series, file: file, limits: limits, into: &evaluation)
        return evaluation
    }

    /// The per-slice alarm: first vs last window of each slice's RM and gold means; the gold change's 95% interval
    /// comes from the windows' squared standard errors. A slice without spreads (or in only one iteration) never fires.
    static func evaluateSlices(_ series: [String: Series], file: String, limits: Limits, into evaluation: inout GateEvaluation) {
        func ends(_ metric: String) -> (first: Double, last: Double, width: Int, line: Int)? {
            guard let values = series[metric]?.values, values.count >= 2, let line = series[metric]?.lines.last else { return nil }
            let width = min(limits.window, max(1, values.count / 2))
            return (Statistics.mean(Array(values.prefix(width)), ifEmpty: .nan), Statistics.mean(Array(values.suffix(width)), ifEmpty: .nan), width, line)
        }
        let names = series.keys.filter { $0.hasPrefix("slice:") && $0.hasSuffix(":gold") }.map { String($0.dropLast(":gold".count)) }.sorted()
        var fired: [String] = []
        for name in names {
            guard let rm = ends(name + ":rm"), let gold = ends(name + ":gold"), let se2 = ends(name + ":gold_se2") else { continue }
            let rmGain = rm.last - rm.first, goldGain = gold.last - gold.first
            let halfWidth = 1.96 * ((se2.first + se2.last) / Double(se2.width)).squareRoot()
            let slice = String(name.dropFirst("slice:".count))
            evaluation.figures["\(slice).rm_gain"] = rmGain
            evaluation.figures["\(slice).gold_gain"] = goldGain
            evaluation.figures["\(slice).gold_half_width_95"] = halfWidth
            guard rmGain > 0, goldGain < -limits.goldDropTolerance, goldGain + halfWidth < 0 else { continue }
            let change = String(format: "RM %+.3f, gold %+.3f ± %.3f", rmGain, goldGain, halfWidth)
            fired.append("\(slice) (\(change))")
            evaluation.findings.append(GateFinding(kind: "slice_reward_hacking", file: file, line: gold.line, field: "slices.\(slice)",
                                                   message: "\(slice): \(change) (first vs last \(gold.width) iteration(s))", score: goldGain))
        }
        guard !names.isEmpty else { return }
        evaluation.figures["slices_fired"] = Double(fired.count)
        evaluation.check("slice_gold_drop", limit: limits.goldDropTolerance, violated: !fired.isEmpty,
                         "reward hacking in \(fired.count) slice(s): \(fired.joined(separator: ", "))")
    }
}
