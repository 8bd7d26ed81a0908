import EngineCore
import Foundation

/// `gate.rm_quality`: the reward model's held-out accuracy and mean margin, read from `rm_eval.json`,
/// must reach thresholds (defaults 0.70 and 0.05).
public struct RMQualityGate: StageKind {
    /// "gate.rm_quality".
    public let name = "gate.rm_quality"
    /// Implementation version.
    public let version = 1
    /// `rm_eval`: the reward model's eval artifact.
    public let inputs: [InputSpec]? = [InputSpec("rm_eval", format: "rm_eval.json (a reward_model node's report)")]
    /// `verdict` and `outcome`.
    public let outputs: [String]? = GateSupport.outputs
    /// Checks the reward model's figures.
    public let summary = "the reward model's held-out accuracy and mean margin (from rm_eval.json) must reach thresholds"

    /// The params of a `gate.rm_quality` node, each declared once.
    struct Declarations: ParamDeclarations {
        /// Severity and findings.
        let common = GateSupport.common
        /// Accuracy bound.
        let minAccuracy = Param.number("min_accuracy", default: 0.70, in: 0...1, "held-out accuracy required")
        /// Margin bound.
        let minMargin = Param.number("min_margin", default: 0.05, in: -1e6...1e6, "held-out mean margin r_chosen − r_rejected required")
    }

    /// The declarations.
    static let declared = Declarations()
    /// Declared params.
    public var params: [ParamSpec] { Self.declared.specs }

    /// Creates the kind.
    public init() {}

    /// Reads `rm_eval.json` and records the verdict.
    public func run(_ context: StageContext) throws {
        let params = try checkedParams(context)
        guard let url = context.inputs["rm_eval"] else { throw StagesError.invalidInputs(node: context.node, message: "missing input 'rm_eval'; add it under inputs") }
        let file = context.displayPath(url)
        let evaluation = try Self.evaluate(JSONFigures.load(url, file: file), file: file,
                                           minAccuracy: try params.value(Self.declared.minAccuracy),
                                           minMargin: try params.value(Self.declared.minMargin))
        try GateSupport.finish(evaluation, gate: name, context: context)
    }

    /// The evaluation of the figures of `rm_eval.json`.
    static func evaluate(_ figures: JSONFigures, file: String, minAccuracy: Double, minMargin: Double) throws -> GateEvaluation {
        guard let accuracy = figures.find(["heldout_accuracy", "held_out_accuracy", "heldout.accuracy", "held_out.accuracy", "accuracy"],
                                          all: ["acc"], none: ["gold", "fresh", "calib", "length", "train", "bin"]) else {
            throw StagesError.missingFigure(file: file, figure: "held-out accuracy", hint: "the reward_model stage must write heldout_accuracy")
        }
        guard let margin = figures.find(["heldout_mean_margin", "held_out_mean_margin", "mean_margin", "heldout.mean_margin",
                                         "held_out.mean_margin"], all: ["margin"], none: ["gold", "fresh", "train", "param"]) else {
            throw StagesError.missingFigure(file: file, figure: "held-out mean margin", hint: "the reward_model stage must write mean_margin")
        }
        var evaluation = GateEvaluation()
        evaluation.figures = ["heldout_accuracy": accuracy.value, "mean_margin": margin.value]
        evaluation.check("min_accuracy", limit: minAccuracy, violated: accuracy.value < minAccuracy,
                         String(format: "held-out accuracy %.3f < %.3f", accuracy.value, minAccuracy) + " (\(accuracy.path))")
        evaluation.check("min_margin", limit: minMargin, violated: margin.value < minMargin,
                         String(format: "mean margin %.4f < %.4f", margin.value, minMargin) + " (\(margin.path))")
        if !evaluation.failures.isEmpty {
            evaluation.findings.append(GateFinding(kind: "rm_below_threshold", file: file, message: evaluation.failures.joined(separator: "; ")))
        }
        return evaluation
    }
}
