import EngineCore
import Foundation
import Training
import World

/// `gate.length_bias`: mode `preferences` measures how much a preference set rewards length; mode
/// `reward_model` measures how much a reward model does (Spearman reward vs length, accuracy on
/// length-balanced pairs). Fails beyond param thresholds.
public struct LengthBiasGate: StageKind {
    /// "gate.length_bias".
    public let name = "gate.length_bias"
    /// Version 2: conversational pairs are read and scored with their system message and earlier turns.
    public let version = 2
    /// `preferences` (mode preferences); `rm_eval`, and optionally `reward_model` + `pairs` to score (mode reward_model).
    public let inputs: [InputSpec]? = [InputSpec("preferences", required: false, format: "preferences JSONL (mode preferences)"),
                                       InputSpec("rm_eval", required: false, format: "rm_eval.json (mode reward_model)"),
                                       InputSpec("reward_model", required: false, format: "reward model checkpoint directory (mode reward_model)"),
                                       InputSpec("pairs", required: false, format: "preferences JSONL scored by reward_model")]
    /// `verdict` and `outcome`.
    public let outputs: [String]? = GateSupport.outputs
    /// Measures length bias.
    public let summary = "how much a preference set (mode preferences) or a reward model (mode reward_model) rewards length"

    /// The params of a `gate.length_bias` node, each declared once.
    struct Declarations: ParamDeclarations {
        /// Severity and findings.
        let common = GateSupport.common
        /// What is measured.
        let mode = Param.choice("mode", default: "preferences", among: ["preferences", "reward_model"], "measure a preference set or a reward model")
        /// Length unit.
        let unit = Param.choice("unit", default: "chars", among: ["chars", "tokens"], "length in characters or tokens (UTF-8 bytes)")
        /// Match tolerance.
        let matchTolerance = Param.number("match_tolerance", default: 0.1, in: 0...1,
                                          "pairs whose lengths differ by at most this fraction count as length-matched")
        /// Chosen-longer bound.
        let maxChosenLongerFraction = Param.number("max_chosen_longer_fraction", default: 0.7, in: 0...1,
                                                   "preferences: bound on the fraction of pairs whose chosen is longer")
        /// Correlation bound.
        let maxPointBiserial = Param.number("max_point_biserial", default: 0.3, in: -1...1, "preferences: bound on the is-chosen vs length correlation")
        /// Matched agreement.
        let minMatchedAgreement = Param.number("min_matched_agreement", default: 0.5, in: 0...1,
                                               "preferences: gold agreement required on length-matched pairs")
        /// Spearman bound.
        let maxAbsSpearman = Param.number("max_abs_spearman", default: 0.5, in: 0...1, "reward_model: bound on |Spearman(reward, length)|")
        /// Balanced accuracy.
        let minBalancedAccuracy = Param.number("min_balanced_accuracy", default: 0.55, in: 0...1,
                                               "reward_model: accuracy required on length-balanced pairs")
    }

    /// The declarations.
    static let declared = Declarations()
    /// Declared params.
    public var params: [ParamSpec] { Self.declared.specs }
    /// Each mode needs its inputs.
    public var rules: [ParamRule] {
        [.stage("mode preferences needs input preferences; mode reward_model needs rm_eval, or reward_model and pairs") { params, roles in
            if try params.value(Self.declared.mode) == "preferences" {
                if !roles.contains("preferences") {
                    throw StagesError.invalidInputs(node: params.node, message: "mode preferences needs input 'preferences'; add it under inputs")
                }
            } else if !roles.contains("rm_eval") && !(roles.contains("reward_model") && roles.contains("pairs")) {
                throw StagesError.invalidInputs(node: params.node, message: "mode reward_model needs input 'rm_eval', or 'reward_model' and 'pairs'")
            }
        }]
    }

    /// Creates the kind.
    public init() {}

    /// Thresholds and settings of one run.
    struct Settings {
        /// Lengths in UTF-8 bytes instead of characters.
        var tokens = false
        /// Relative length difference of a length-matched pair.
        var matchTolerance = 0.1
        /// Bound on the chosen-longer fraction.
        var maxChosenLongerFraction = 0.7
        /// Bound on the point-biserial correlation.
        var maxPointBiserial = 0.3
        /// Required gold agreement on matched pairs.
        var minMatchedAgreement = 0.5
        /// Bound on |Spearman|.
        var maxAbsSpearman = 0.5
        /// Required length-balanced accuracy.
        var minBalancedAccuracy = 0.55

        /// The length of `text` in the chosen unit.
        func length(_ text: String) -> Double {
            Double(tokens ? text.utf8.count : text.count)
        }

        /// Whether lengths `a` and `b` are within the match tolerance of each other.
        func matched(_ a: Double, _ b: Double) -> Bool {
            abs(a - b) <= matchTolerance * max(a, b, 1)
        }
    }

    /// Measures the bias in the chosen mode and records the verdict.
    public func run(_ context: StageContext) throws {
        let params = try checkedParams(context)
        let d = Self.declared
        let settings = Settings(tokens: try params.value(d.unit) == "tokens", matchTolerance: try params.value(d.matchTolerance),
                                maxChosenLongerFraction: try params.value(d.maxChosenLongerFraction),
                                maxPointBiserial: try params.value(d.maxPointBiserial), minMatchedAgreement: try params.value(d.minMatchedAgreement),
                                maxAbsSpearman: try params.value(d.maxAbsSpearman), minBalancedAccuracy: try params.value(d.minBalancedAccuracy))
        let evaluation: GateEvaluation
        if try params.value(d.mode) == "preferences" {
            guard let url = context.inputs["preferences"] else { throw StagesError.invalidInputs(node: context.node, message: "missing input 'preferences'; add it under inputs") }
            let dataset = try GateDataset.load(url, role: "preferences", format: .preferences,
                                               file: context.displayPath(url))
            evaluation = Self.evaluatePreferences(dataset, settings: settings)
        } else {
            evaluation = try Self.evaluateRewardModel(context, settings: settings)
        }
        try GateSupport.finish(evaluation, gate: name, context: context)
    }

    /// Mode `preferences`: chosen-longer fraction, length ratios, point-biserial correlation, and
    /// whether the preference survives (agrees with the gold judge) on length-matched pairs.
    static func evaluatePreferences(_ dataset: GateDataset, settings: Settings) -> GateEvaluation {
        var evaluation = GateEvaluation()
        var longer = 0.0, ratios: [Double] = [], group: [Bool] = [], lengths: [Double] = []
        var matched = 0, matchedLonger = 0.0
        var agreement = (all: 0, allAgree: 0, matched: 0, matchedAgree: 0)
        var longestChosen: [(line: Int, ratio: Double)] = []
        for record in dataset.records {
            let chosen = settings.length(record.text("chosen")), rejected = settings.length(record.text("rejected"))
            let credit = chosen > rejected ? 1.0 : (chosen == rejected ? 0.5 : 0)
            longer += credit
            ratios.append(chosen / max(rejected, 1))
            group += [true, false]
            lengths += [chosen, rejected]
            let isMatched = settings.matched(chosen, rejected)
            if isMatched {
                matched += 1
                matchedLonger += credit
            }
            if chosen > rejected { longestChosen.append((record.line, chosen / max(rejected, 1))) }
            if let goldChosen = try? GoldJudge.score(prompt: record.text("prompt"), response: record.text("chosen"), reachedEOS: true),
               let goldRejected = try? GoldJudge.score(prompt: record.text("prompt"), response: record.text("rejected"), reachedEOS: true),
               goldChosen.value != goldRejected.value {
                let agrees = goldChosen.value > goldRejected.value ? 1 : 0
                agreement.all += 1
                agreement.allAgree += agrees
                if isMatched {
                    agreement.matched += 1
                    agreement.matchedAgree += agrees
                }
            }
        }
        let count = Double(max(1, dataset.records.count))
        let fraction = longer / count
        let correlation = Statistics.pointBiserial(group: group, values: lengths) ?? .nan
        evaluation.figures = ["pairs": Double(dataset.records.count), "chosen_longer_fraction": fraction,
                              "mean_length_ratio": Statistics.mean(ratios, ifEmpty: .nan), "median_length_ratio": Statistics.median(ratios),
                              "point_biserial": correlation, "length_matched_pairs": Double(matched),
                              "length_matched_chosen_longer_fraction": matched == 0 ? .nan : matchedLonger / Double(matched)]
        evaluation.check("max_chosen_longer_fraction", limit: settings.maxChosenLongerFraction, violated: fraction > settings.maxChosenLongerFraction,
                         String(format: "chosen is longer in %.1f%% of pairs > %.1f%%", fraction * 100, settings.maxChosenLongerFraction * 100))
        evaluation.check("max_point_biserial", limit: settings.maxPointBiserial, violated: correlation.isFinite && correlation > settings.maxPointBiserial,
                         String(format: "point-biserial(is chosen, length) %.3f > %.3f", correlation, settings.maxPointBiserial))
        evaluation.thresholds["match_tolerance"] = settings.matchTolerance
        if agreement.all > 0 {
            evaluation.figures["gold_agreement"] = Double(agreement.allAgree) / Double(agreement.all)
        }
        if agreement.matched > 0 {
            let survived = Double(agreement.matchedAgree) / Double(agreement.matched)
            evaluation.figures["length_matched_gold_agreement"] = survived
            evaluation.figures["length_matched_gold_pairs"] = Double(agreement.matched)
            evaluation.check("min_matched_agreement", limit: settings.minMatchedAgreement, violated: survived < settings.minMatchedAgreement,
                             String(format: "preference does not survive length matching: gold agrees on %.1f%% of %d matched pairs < %.1f%%",
                                    survived * 100, agreement.matched, settings.minMatchedAgreement * 100))
        }
        if !evaluation.failures.isEmpty {
            for item in longestChosen.sorted(by: { ($0.ratio, -$0.line) > ($1.ratio, -$1.line) }).prefix(20) {
                evaluation.findings.append(GateFinding(kind: "chosen_longer", file: dataset.file, line: item.line, field: "chosen",
                                                       message: String(format: "chosen is %.2f× the rejected length", item.ratio), score: item.ratio))
            }
        }
        return evaluation
    }

    /// Mode `reward_model`: Spearman(reward, length) and length-balanced accuracy from `rm_eval.json`,
    /// or by scoring `pairs` with the `reward_model` checkpoint when the artifact lacks them.
    static func evaluateRewardModel(_ context: StageContext, settings: Settings) throws -> GateEvaluation {
        var spearman: Double?, balanced: Double?, balancedPairs: Int?
        var source = "rm_eval.json"
        if let url = context.inputs["rm_eval"] {
            let figures = try JSONFigures.load(url, file: context.displayPath(url))
            spearman = figures.find(["spearman_reward_length", "reward_length_spearman", "length_spearman"], all: ["spearman"])?.value
            balanced = figures.find(["length_balanced_accuracy", "length_matched_accuracy", "length_matched.accuracy"], all: ["length", "acc"], none: ["gold"])?.value
        }
        if spearman == nil || balanced == nil, let model = context.inputs["reward_model"], let pairs = context.inputs["pairs"] {
            let dataset = try GateDataset.load(pairs, role: "pairs", format: .preferences,
                                               file: context.displayPath(pairs))
            let scored = try RewardScorer(checkpoint: model).score(dataset.records)
            let measured = rewardFigures(dataset.records, rewards: scored, settings: settings)
            spearman = spearman ?? measured.spearman
            if balanced == nil {
                balanced = measured.balanced
                balancedPairs = measured.pairs
            }
            source = "scored \(dataset.records.count) pairs with the checkpoint"
        }
        guard let spearman else {
            throw StagesError.missingFigure(file: "rm_eval.json", figure: "Spearman(reward, length)",
                                          hint: "write spearman_reward_length in rm_eval.json or give inputs reward_model and pairs")
        }
        var evaluation = GateEvaluation()
        evaluation.figures["spearman_reward_length"] = spearman
        evaluation.check("max_abs_spearman", limit: settings.maxAbsSpearman, violated: abs(spearman) > settings.maxAbsSpearman,
                         String(format: "|Spearman(reward, length)| %.3f > %.3f", abs(spearman), settings.maxAbsSpearman) + " (\(source))")
        if let balanced, balanced.isFinite {
            evaluation.figures["length_balanced_accuracy"] = balanced
            if let balancedPairs { evaluation.figures["length_balanced_pairs"] = Double(balancedPairs) }
            evaluation.check("min_balanced_accuracy", limit: settings.minBalancedAccuracy, violated: balanced < settings.minBalancedAccuracy,
                             String(format: "accuracy on length-balanced pairs %.3f < %.3f", balanced, settings.minBalancedAccuracy))
        } else {
            evaluation.warnings.append("no length-balanced pairs to measure accuracy on")
        }
        return evaluation
    }

    /// Spearman(reward, length) over every response and accuracy on length-matched pairs.
    static func rewardFigures(_ records: [GateRecord], rewards: [(chosen: Double, rejected: Double)],
                              settings: Settings) -> (spearman: Double, balanced: Double, pairs: Int) {
        var scores: [Double] = [], lengths: [Double] = []
        var matched = 0, correct = 0
        for (record, reward) in zip(records, rewards) {
            let chosen = settings.length(record.text("chosen")), rejected = settings.length(record.text("rejected"))
            scores += [reward.chosen, reward.rejected]
            lengths += [chosen, rejected]
            if settings.matched(chosen, rejected) {
                matched += 1
                if reward.chosen > reward.rejected { correct += 1 }
            }
        }
        return (Statistics.spearman(scores, lengths) ?? .nan, matched == 0 ? .nan : Double(correct) / Double(matched), matched)
    }
}
